"""Export trained policies for the browser: python -m export --env NAME.

    export/model.py        the model contract (inputs, outputs, metadata) and validation
    export/onnx_export.py  checkpoint -> web/models/<env>.onnx/.json/.png, verified
"""
