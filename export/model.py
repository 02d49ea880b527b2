"""The contract between a trained policy file (web/models/<env>.onnx) and an env.

A ShiftPlay policy model has one input and two outputs:

    obs     [batch, obs_size]     float32 or uint8, exactly as the C env writes it
    logits  [batch, num_actions]  float32, action logits
    value   [batch]               float32, state-value estimate

and carries metadata_props "shiftplay.*" (env name, observation size/dtype/shape, action
count and names) so a model file alone says which env it plays.

A policy for continuous actions (spec action_kind "continuous", a Gaussian policy) has,
instead of logits, two outputs before the value:

    mean     [batch, action_dim]  float32, the mean of each action value
    log_std  [batch, action_dim]  float32, its log standard deviation (the same for every
                                  observation: a learned parameter, broadcast)

and metadata_props shiftplay.action_kind = "continuous", shiftplay.action_dim and the
bounds shiftplay.action_low / action_high (JSON lists). Deterministic play takes the mean,
sampling draws mean + exp(log_std) * N(0, 1); either is clipped into the bounds. load_model() checks all
of this against the live env spec and raises ModelError with a readable message.

A recurrent (LSTM) policy has its state as explicit tensors besides:

    inputs   lstm_h, lstm_c            [batch, H] float32, the state before this step
    outputs  lstm_h_out, lstm_c_out    [batch, H] float32, the state after it

The caller keeps one (h, c) per agent, feeds each step's outputs back as the next step's
inputs, and starts every episode (and the first step) from zeros. The metadata_prop
"shiftplay.recurrent_state" (JSON, also "recurrent_state" in the <env>.json sidecar)
lists these pairs, so a page can carry any model's state without knowing its shape;
it is [] for a feed-forward model.
"""
import json
import os

import numpy as np

from envs.vector import head_width, is_continuous
from train.evaluate import RecurrentAct, mean_actions

INPUT_NAME = "obs"
OUTPUT_NAMES = ("logits", "value")
CONTINUOUS_OUTPUT_NAMES = ("mean", "log_std", "value")
STATE_NAMES = ("lstm_h", "lstm_c")   # recurrent models: inputs; outputs add "_out"
FORMAT_VERSION = "1"
OPSET = 17
PREFIX = "shiftplay."


class ModelError(ValueError):
    """A model file that is missing, unreadable, or does not fit the env."""


def default_model_path(env_name, root=None):
    root = root or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "web", "models")
    return os.path.join(root, f"{env_name}.onnx")


def recurrent_state(state_size):
    """The recurrent IO contract of a model with LSTM state size H (0: none)."""
    if not state_size:
        return []
    return [{"input": name, "output": name + "_out", "shape": ["batch", int(state_size)],
             "dtype": "float32", "initial": "zeros", "reset": "episode_start"}
            for name in STATE_NAMES]


def output_names(spec):
    """The model's outputs (before any recurrent state) for the env's action kind."""
    return CONTINUOUS_OUTPUT_NAMES if is_continuous(spec) else OUTPUT_NAMES


def spec_metadata(spec):
    """The metadata_props written into every exported model (all values are strings)."""
    continuous = {}
    if is_continuous(spec):
        continuous = {
            PREFIX + "action_kind": "continuous",
            PREFIX + "action_dim": str(spec["action_dim"]),
            PREFIX + "action_low": json.dumps([float(x) for x in spec["action_low"]]),
            PREFIX + "action_high": json.dumps([float(x) for x in spec["action_high"]]),
        }
    return {**continuous,
        PREFIX + "format_version": FORMAT_VERSION,
        PREFIX + "env": spec["name"],
        PREFIX + "obs_size": str(spec["obs_size"]),
        PREFIX + "obs_dtype": spec["obs_dtype"],
        PREFIX + "obs_height": str(spec["obs_height"]),
        PREFIX + "obs_width": str(spec["obs_width"]),
        PREFIX + "obs_high": repr(float(spec["obs_high"])),
        PREFIX + "num_actions": str(spec["num_actions"]),
        PREFIX + "action_names": json.dumps(list(spec["action_names"])),
    }


def _onnx_dtype(dtype_name):
    import onnx
    return {"float32": onnx.TensorProto.FLOAT, "uint8": onnx.TensorProto.UINT8}[dtype_name]


def _dims(value_info):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        dims.append(d.dim_value if d.HasField("dim_value") else (d.dim_param or "?"))
    return dims


def check_model_proto(model, spec, where="model"):
    """Raises ModelError unless the ONNX model proto is a policy for this env spec."""
    import onnx
    props = {p.key: p.value for p in model.metadata_props}
    env_name = spec["name"]
    if PREFIX + "env" not in props:
        raise ModelError(f"{where} is not a ShiftPlay policy (no {PREFIX}env metadata)")
    if props[PREFIX + "env"] != env_name:
        raise ModelError(f"{where} is a policy for env {props[PREFIX + 'env']!r}, "
                         f"not {env_name!r}")
    expected = spec_metadata(spec)
    keys = ["obs_size", "obs_dtype", "obs_height", "obs_width", "num_actions"]
    have_kind = props.get(PREFIX + "action_kind", "discrete")  # older files: discrete
    want_kind = spec.get("action_kind", "discrete")
    if have_kind != want_kind:
        raise ModelError(f"{where} was made for {have_kind} actions but env {env_name!r} has "
                         f"{want_kind} actions: retrain or re-export the model")
    if is_continuous(spec):
        keys += ["action_dim", "action_low", "action_high"]
    for key in keys:
        have, want = props.get(PREFIX + key), expected[PREFIX + key]
        if have != want:
            raise ModelError(f"{where} was made for {key}={have} but env {env_name!r} has "
                             f"{key}={want}: retrain or re-export the model")
    graph = model.graph
    state = _state_props(props, where)
    initializers = {init.name for init in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    want_inputs = [INPUT_NAME] + [s["input"] for s in state]
    heads = output_names(spec)
    want_outputs = list(heads) + [s["output"] for s in state]
    if [i.name for i in inputs] != want_inputs:
        raise ModelError(f"{where} must have inputs {want_inputs}, has "
                         f"{[i.name for i in inputs]}")
    if [o.name for o in graph.output] != want_outputs:
        raise ModelError(f"{where} must have outputs {want_outputs}, has "
                         f"{[o.name for o in graph.output]}")
    for value_info in list(inputs[1:]) + list(graph.output[len(heads):]):
        dims = _dims(value_info)
        if len(dims) != 2 or dims[1] != state[0]["shape"][1]:
            raise ModelError(f"{where} state tensor {value_info.name!r} has shape {dims}, "
                             f"expected [batch, {state[0]['shape'][1]}]")
    obs = inputs[0]
    if obs.type.tensor_type.elem_type != _onnx_dtype(spec["obs_dtype"]):
        have = onnx.TensorProto.DataType.Name(obs.type.tensor_type.elem_type)
        raise ModelError(f"{where} input {INPUT_NAME!r} has dtype {have}, env "
                         f"{env_name!r} observations are {spec['obs_dtype']}")
    dims = _dims(obs)
    if len(dims) != 2 or dims[1] != spec["obs_size"] or isinstance(dims[0], int):
        raise ModelError(f"{where} input {INPUT_NAME!r} has shape {dims}, expected "
                         f"[batch, {spec['obs_size']}] with a dynamic batch")
    width = head_width(spec)
    for head in graph.output[:len(heads) - 1]:
        dims = _dims(head)
        if len(dims) != 2 or dims[1] != width:
            raise ModelError(f"{where} output {head.name!r} has shape {dims}, expected "
                             f"[batch, {width}]")
    value_dims = _dims(graph.output[len(heads) - 1])
    if len(value_dims) != 1:
        raise ModelError(f"{where} output 'value' has shape {value_dims}, expected [batch]")
    return props


def _state_props(props, where):
    """The recurrent_state list from the metadata (absent in older files: [])."""
    text = props.get(PREFIX + "recurrent_state", "[]")
    try:
        state = json.loads(text)
        size = state[0]["shape"][1] if state else 0
        if state != recurrent_state(size):
            raise ValueError("not the LSTM contract")
    except (ValueError, TypeError, KeyError, IndexError) as e:
        raise ModelError(f"{where} has unreadable {PREFIX}recurrent_state metadata "
                         f"{text[:200]!r}: {e}") from e
    return state


class OnnxPolicy:
    """An onnxruntime session for a validated model: __call__(obs) -> (logits, value), or
    (mean, log_std, value) for continuous actions."""

    def __init__(self, path, spec, session, metadata, sidecar):
        self.path = path
        self.spec = spec
        self.session = session
        self.metadata = metadata
        self.sidecar = sidecar
        self.dtype = np.dtype(spec["obs_dtype"])
        self.state = _state_props(metadata, path)
        self.state_size = self.state[0]["shape"][1] if self.state else 0
        self.recurrent = bool(self.state)
        self.continuous = is_continuous(spec)
        self.heads = list(output_names(spec))
        if self.recurrent:
            # Deterministic actions with the state of every agent carried (run_episodes).
            self.act = RecurrentAct(self._step, self.state_size)

    def __call__(self, obs, h=None, c=None):
        """(logits, value) for a feed-forward model; (logits, value, h, c) for a recurrent
        one (h, c [batch, H]; None: zeros, the start of an episode)."""
        obs = np.ascontiguousarray(obs, dtype=self.dtype)
        if not self.recurrent:
            return tuple(self.session.run(self.heads, {INPUT_NAME: obs}))
        zeros = np.zeros((len(obs), self.state_size), dtype=np.float32)
        feed = {INPUT_NAME: obs}
        for entry, x in zip(self.state, (h, c)):
            feed[entry["input"]] = zeros if x is None else np.ascontiguousarray(
                x, dtype=np.float32)
        names = list(OUTPUT_NAMES) + [entry["output"] for entry in self.state]
        return tuple(self.session.run(names, feed))

    def _step(self, obs, h, c):
        logits, _, h, c = self(obs, h, c)
        return logits, h, c

    def act(self, obs):
        """Deterministic actions: argmax (int32), or the means clipped into the bounds."""
        if self.continuous:
            return mean_actions(self(obs)[0], self.spec["action_low"], self.spec["action_high"])
        return self(obs)[0].argmax(axis=1).astype(np.int32)


def load_model(path, spec, check_sidecar=True):
    """Loads and validates an ONNX policy for `spec`; raises ModelError on any mismatch."""
    import onnx
    import onnxruntime as ort
    if not os.path.isfile(path):
        raise ModelError(f"model file {path} does not exist (export one with "
                         f"`python -m export --env {spec['name']}`)")
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model)
    except Exception as e:  # onnx raises DecodeError, ValidationError, ...
        raise ModelError(f"{path} is not a valid ONNX model: {type(e).__name__}: "
                         f"{str(e)[:200]}") from e
    metadata = check_model_proto(model, spec, where=path)
    sidecar = None
    json_path = os.path.splitext(path)[0] + ".json"
    if check_sidecar and os.path.isfile(json_path):
        try:
            with open(json_path) as f:
                sidecar = json.load(f)
        except ValueError as e:
            raise ModelError(f"{json_path} is not valid JSON: {e}") from e
        check_sidecar_json(sidecar, spec, where=json_path,
                           state=_state_props(metadata, path))
    try:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(model.SerializeToString(), options,
                                       providers=["CPUExecutionProvider"])
    except Exception as e:
        raise ModelError(f"onnxruntime cannot load {path}: {str(e)[:200]}") from e
    return OnnxPolicy(path, spec, session, metadata, sidecar)


def check_sidecar_json(meta, spec, where="metadata", state=None):
    """Raises ModelError unless the <env>.json sidecar describes this env's sizes (and,
    given the model's recurrent `state` list, the same recurrent state)."""
    checks = [
        ("env", meta.get("env"), spec["name"]),
        ("observation.size", meta.get("observation", {}).get("size"), spec["obs_size"]),
        ("observation.dtype", meta.get("observation", {}).get("dtype"), spec["obs_dtype"]),
        ("actions.count", meta.get("actions", {}).get("count"), spec["num_actions"]),
        ("actions.kind", meta.get("actions", {}).get("kind", "discrete"),
         spec.get("action_kind", "discrete")),
    ]
    if is_continuous(spec):
        actions = meta.get("actions", {})
        checks += [("actions.dim", actions.get("dim"), spec["action_dim"]),
                   ("actions.low", actions.get("low"), list(spec["action_low"])),
                   ("actions.high", actions.get("high"), list(spec["action_high"]))]
    for key, have, want in checks:
        if have != want:
            raise ModelError(f"{where}: {key} is {have!r} but env {spec['name']!r} has "
                             f"{want!r}")
    if state is not None and meta.get("recurrent_state", []) != state:
        raise ModelError(f"{where}: recurrent_state {meta.get('recurrent_state')!r} differs "
                         f"from the model's {state!r}")
