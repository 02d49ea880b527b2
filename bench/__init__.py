"""Benchmarks: commands that print JSON lines (speed targets live here, not in tests).

    python -m bench.envs    env throughput through the Python VecEnv (make bench)
    python -m bench.web     wasm size, and wasm vs native speed of the same C loop
    python -m bench.ort     the trained policy's cost in headless Chromium
"""
