// Generic CPython binding, compiled once per env as envs/<name>/_env.*.so with
// -DENV_HEADER='"<name>/<name>.h"'. It steps N instances of the env in one C call over
// caller-owned (numpy) buffers; the Python side is envs/vector.py.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <time.h>

#include ENV_HEADER
#include "glue.h"

enum { NUM_BUFFERS = 6, LOG_FIELDS = sizeof(Log) / sizeof(float) };

typedef struct {
    Env *envs;
    int num_envs;
    int agents_per_env;
    int num_agents;
    int closed;
    // Set (with the GIL held) while a step or reset runs with the GIL released; close()
    // sets `closing` and waits for it, so no call can free the envs under a running one.
    int busy;
    int closing;
    // observations, actions, rewards, terminals, truncations, logs (float32 x LOG_FIELDS)
    Py_buffer views[NUM_BUFFERS];
} VecEnv;

static const char *CAPSULE_NAME = "shiftplay.VecEnv";

// Appends `item` (a new reference; NULL after a failed call) to `list`, dropping the
// reference. On failure drops `list` too and returns -1.
static int append_or_drop(PyObject *list, PyObject *item) {
    if (item == NULL || PyList_Append(list, item) < 0) {
        Py_XDECREF(item);
        Py_DECREF(list);
        return -1;
    }
    Py_DECREF(item);
    return 0;
}

// A list of `count` items, item i made by make_item(arg, i); NULL with an exception.
static PyObject *build_list(int count, PyObject *(*make_item)(const void *arg, int i),
                            const void *arg) {
    PyObject *list = PyList_New(0);
    if (list == NULL) return NULL;
    for (int i = 0; i < count; i++) {
        if (append_or_drop(list, make_item(arg, i)) < 0) return NULL;
    }
    return list;
}

static PyObject *string_item(const void *strings, int i) {
    return PyUnicode_FromString(((const char *const *)strings)[i]);
}

static PyObject *param_item(const void *params, int i) {
    const EnvParam *p = &((const EnvParam *)params)[i];
    return Py_BuildValue("{s:s,s:i,s:i,s:i,s:s}", "name", p->name, "default",
                         p->default_value, "min", p->min_value, "max", p->max_value, "help",
                         p->help);
}

static PyObject *group_item(const void *groups, int i) {
    const ObsGroup *g = &((const ObsGroup *)groups)[i];
    return Py_BuildValue("{s:s,s:i,s:i,s:f,s:f}", "name", g->name, "start", g->start,
                         "count", g->count, "low", (double)g->low, "high", (double)g->high);
}

static PyObject *string_list(const char *const *items, int count) {
    return build_list(count, string_item, items);
}

static PyObject *control_dict(void) {
    const ControlObs *c = ENV_SPEC.control_obs;
    if (c == NULL) Py_RETURN_NONE;
    return Py_BuildValue("{s:s,s:i,s:i}", "label", c->label, "decrease_action",
                         c->decrease_action, "increase_action", c->increase_action);
}

// d[keys[i]] = values[i] for n new references (released here, NULL counts as an error).
static int set_items(PyObject *d, const char *const *keys, PyObject **values, int n) {
    int status = 0;
    for (int i = 0; i < n; i++) {
        if (values[i] == NULL || (status == 0 && PyDict_SetItemString(d, keys[i], values[i]) < 0))
            status = -1;
        Py_XDECREF(values[i]);
    }
    return status;
}

// Adds the conventions the tools read (noop, value names, groups, control, baseline).
static int add_conventions(PyObject *d) {
    PyObject *values[5] = {
        PyLong_FromLong(ENV_SPEC.noop_action),
        ENV_SPEC.obs_value_names != NULL
            ? string_list(ENV_SPEC.obs_value_names, ENV_SPEC.num_obs_values)
            : (Py_INCREF(Py_None), Py_None),
        build_list(ENV_SPEC.num_obs_groups, group_item, ENV_SPEC.obs_groups),
        control_dict(),
        PyFloat_FromDouble((double)ENV_SPEC.baseline_min_score),
    };
    const char *keys[5] = {"noop_action", "obs_value_names", "obs_groups", "control_obs",
                           "baseline_min_score"};
    return set_items(d, keys, values, 5);
}

// Adds versus play and turn taking (envs/env.h): versus_sides, versus_param, side_names,
// turn_based, action_mask_obs (None unless turn_based).
static int add_versus(PyObject *d) {
    int sides = ENV_SPEC.versus_sides;
    int has_sides = sides > 0 && ENV_SPEC.side_names != NULL;
    PyObject *values[5] = {
        PyLong_FromLong(sides),
        sides > 0 && ENV_SPEC.versus_param != NULL ? PyUnicode_FromString(ENV_SPEC.versus_param)
                                                   : (Py_INCREF(Py_None), Py_None),
        has_sides ? string_list(ENV_SPEC.side_names, sides) : (Py_INCREF(Py_None), Py_None),
        PyBool_FromLong(ENV_SPEC.turn_based),
        ENV_SPEC.turn_based ? PyLong_FromLong(ENV_SPEC.action_mask_obs)
                            : (Py_INCREF(Py_None), Py_None),
    };
    const char *keys[5] = {"versus_sides", "versus_param", "side_names", "turn_based",
                           "action_mask_obs"};
    return set_items(d, keys, values, 5);
}

static PyObject *float_item(const void *values, int i) {
    return PyFloat_FromDouble((double)((const float *)values)[i]);
}

// -1 with a RuntimeError naming the env when its action kind breaks the contract
// (glue.h action_contract_error), else 0.
static int check_action_contract(void) {
    const char *error = action_contract_error();
    if (error == NULL) return 0;
    PyErr_Format(PyExc_RuntimeError, "%s: %s", ENV_SPEC.name, error);
    return -1;
}

// Adds the action kind (envs/env.h): action_kind ("discrete" or "continuous"),
// action_dim (1 for discrete: one int per agent), action_low and action_high (lists
// of action_dim floats; None for discrete).
static int add_action_kind(PyObject *d) {
    if (check_action_contract() < 0) return -1;
    int continuous = ENV_SPEC.action_kind == ACTION_CONTINUOUS;
    PyObject *values[4] = {
        PyUnicode_FromString(continuous ? "continuous" : "discrete"),
        PyLong_FromLong(continuous ? ENV_SPEC.action_dim : 1),
        continuous ? build_list(ENV_SPEC.action_dim, float_item, ENV_SPEC.action_low)
                   : (Py_INCREF(Py_None), Py_None),
        continuous ? build_list(ENV_SPEC.action_dim, float_item, ENV_SPEC.action_high)
                   : (Py_INCREF(Py_None), Py_None),
    };
    const char *keys[4] = {"action_kind", "action_dim", "action_low", "action_high"};
    return set_items(d, keys, values, 4);
}

// The env's spec as a dict: everything Python, the exporter and the web glue need.
static PyObject *py_spec(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    int obs_size = (int)obs_per_agent();
    PyObject *actions = string_list(ENV_SPEC.action_names, action_name_count());
    PyObject *params = build_list(ENV_SPEC.num_params, param_item, ENV_SPEC.params);
    PyObject *labels = Py_None;
    Py_INCREF(Py_None);
    if (ENV_SPEC.obs_labels != NULL) {
        Py_DECREF(Py_None);
        labels = string_list(ENV_SPEC.obs_labels, obs_size);
    }
    if (actions == NULL || params == NULL || labels == NULL) {
        Py_XDECREF(actions);
        Py_XDECREF(params);
        Py_XDECREF(labels);
        return NULL;
    }
    PyObject *d = Py_BuildValue(
        "{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:f,s:f,s:i,s:N,s:N,s:f,s:s,s:N}",
        "name", ENV_SPEC.name, "title", ENV_SPEC.title, "description",
        ENV_SPEC.description, "controls", ENV_SPEC.controls, "obs_dtype",
        obs_dtype_name(), "obs_height",
        ENV_SPEC.obs_height, "obs_width", ENV_SPEC.obs_width, "obs_size", obs_size,
        "obs_low", (double)ENV_SPEC.obs_low, "obs_high", (double)ENV_SPEC.obs_high,
        "num_actions", ENV_SPEC.num_actions, "action_names", actions, "params", params,
        "max_score", (double)ENV_SPEC.max_score, "score_name", ENV_SPEC.score_name,
        "obs_labels", labels);
    if (d != NULL && add_conventions(d) < 0) Py_CLEAR(d);
    if (d != NULL && add_versus(d) < 0) Py_CLEAR(d);
    if (d != NULL && add_action_kind(d) < 0) Py_CLEAR(d);
    return d;
}

// Checks a tuple of ints against ENV_SPEC.params; fills params. -1 with an exception.
static int parse_params(PyObject *tuple, int *params) {
    if (ENV_SPEC.num_params > MAX_PARAMS) {
        PyErr_SetString(PyExc_RuntimeError, "env declares too many params");
        return -1;
    }
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) != ENV_SPEC.num_params) {
        PyErr_Format(PyExc_ValueError, "%s expects a tuple of %d int params", ENV_SPEC.name,
                     ENV_SPEC.num_params);
        return -1;
    }
    for (int i = 0; i < ENV_SPEC.num_params; i++) {
        const EnvParam *p = &ENV_SPEC.params[i];
        long v = PyLong_AsLong(PyTuple_GET_ITEM(tuple, i));
        if (v == -1 && PyErr_Occurred()) return -1;
        if (v < p->min_value || v > p->max_value) {
            PyErr_Format(PyExc_ValueError, "%s: param %s=%ld is outside [%d, %d]",
                         ENV_SPEC.name, p->name, v, p->min_value, p->max_value);
            return -1;
        }
        params[i] = (int)v;
    }
    return 0;
}

// Number of agents in one env instance for the given parameter tuple.
static PyObject *py_num_agents(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *tuple;
    int params[MAX_PARAMS];
    if (!PyArg_ParseTuple(args, "O", &tuple)) return NULL;
    if (parse_params(tuple, params) < 0) return NULL;
    return PyLong_FromLong(env_num_agents(params));
}

static void release_views(VecEnv *vec) {
    for (int i = 0; i < NUM_BUFFERS; i++) {
        if (vec->views[i].obj != NULL) PyBuffer_Release(&vec->views[i]);
    }
}

static void vec_free(VecEnv *vec) {
    if (vec->envs != NULL) {
        for (int i = 0; i < vec->num_envs; i++) env_close(&vec->envs[i]);
        free(vec->envs);
        vec->envs = NULL;
    }
    release_views(vec);
    vec->closed = 1;
}

static void capsule_destructor(PyObject *capsule) {
    VecEnv *vec = (VecEnv *)PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (vec == NULL) return;
    if (vec->busy) return;  // cannot happen (a running call holds a reference); leak, never crash
    vec_free(vec);
    free(vec);
}

// The open, idle env behind `capsule`, or NULL with RuntimeError. Called with the GIL
// held, so checking `busy` and then setting it (take_vec) cannot interleave.
static VecEnv *get_vec(PyObject *capsule) {
    VecEnv *vec = (VecEnv *)PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (vec == NULL) return NULL;
    if (vec->closed || vec->closing) {
        PyErr_SetString(PyExc_RuntimeError, "the env is closed");
        return NULL;
    }
    if (vec->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the env is in use by another thread (one env "
                        "may be stepped by one thread at a time; give each thread its own)");
        return NULL;
    }
    return vec;
}

// Marks the env busy for a call that releases the GIL; give_vec ends it. The capsule is
// kept alive meanwhile, so its destructor cannot run under the call.
static VecEnv *take_vec(PyObject *capsule) {
    VecEnv *vec = get_vec(capsule);
    if (vec == NULL) return NULL;
    vec->busy = 1;
    Py_INCREF(capsule);
    return vec;
}

static void give_vec(PyObject *capsule, VecEnv *vec) {
    vec->busy = 0;
    Py_DECREF(capsule);
}

// 'f' for a float format, 'i' for a signed integer, 'u' for unsigned or bool, 0 else.
static char format_kind(const char *format) {
    if (format == NULL) return 'u';  // plain bytes
    while (*format == '@' || *format == '=' || *format == '<' || *format == '>' ||
           *format == '!')
        format++;
    if (format[0] == 0 || format[1] != 0) return 0;
    if (strchr("efd", format[0])) return 'f';
    if (strchr("bhilq", format[0])) return 'i';
    if (strchr("BHILQ?", format[0])) return 'u';
    return 0;
}

// Takes a writable C-contiguous buffer holding exactly `count` items of `item_size` bytes
// of kind `kind` (see format_kind).
static int get_view(PyObject *obj, Py_buffer *view, Py_ssize_t count, size_t item_size,
                    char kind, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    if ((size_t)view->itemsize != item_size || view->len != count * (Py_ssize_t)item_size ||
        format_kind(view->format) != kind) {
        const char *kinds = kind == 'f' ? "float" : kind == 'i' ? "signed int" : "unsigned int";
        PyErr_Format(PyExc_ValueError, "%s buffer must hold %zd %s items of %zu bytes "
                     "(got format '%s', %zd bytes)", what, count, kinds, item_size,
                     view->format ? view->format : "B", view->len);
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

static int bind_buffers(VecEnv *vec, PyObject **objs) {
    Py_ssize_t n = vec->num_agents;
    const char *names[NUM_BUFFERS] = {"observations", "actions", "rewards", "terminals",
                                      "truncations", "logs"};
    size_t sizes[NUM_BUFFERS] = {obs_item_size(), 4, 4, 1, 1, 4};
    char kinds[NUM_BUFFERS] = {ENV_SPEC.obs_dtype == OBS_UINT8 ? 'u' : 'f',
                               GLUE_CONTINUOUS ? 'f' : 'i', 'f', 'u', 'u', 'f'};
    Py_ssize_t counts[NUM_BUFFERS] = {n * (Py_ssize_t)obs_per_agent(), n * action_values(),
                                      n, n, n, n * LOG_FIELDS};
    for (int i = 0; i < NUM_BUFFERS; i++) {
        if (get_view(objs[i], &vec->views[i], counts[i], sizes[i], kinds[i], names[i]) < 0) return -1;
    }
    return 0;
}

static void point_env_at_buffers(VecEnv *vec, int i, int autoreset) {
    size_t first = (size_t)i * (size_t)vec->agents_per_env;
    char *obs = (char *)vec->views[0].buf;
    EnvIO *io = &vec->envs[i].io;
    io->observations = obs + first * obs_per_agent() * obs_item_size();
    attach_actions(io, (char *)vec->views[1].buf + first * action_item_size());
    io->rewards = (float *)vec->views[2].buf + first;
    io->terminals = (uint8_t *)vec->views[3].buf + first;
    io->truncations = (uint8_t *)vec->views[4].buf + first;
    io->log = (Log *)vec->views[5].buf + first;
    io->autoreset = autoreset;
}

// vec_init(obs, actions, rewards, terminals, truncations, logs, num_envs, params,
//          autoreset)
static PyObject *py_vec_init(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *objs[NUM_BUFFERS];
    PyObject *tuple;
    int num_envs, autoreset;
    int params[MAX_PARAMS];
    if (!PyArg_ParseTuple(args, "OOOOOOiOp", &objs[0], &objs[1], &objs[2], &objs[3],
                          &objs[4], &objs[5], &num_envs, &tuple, &autoreset))
        return NULL;
    if (num_envs < 1) {
        PyErr_SetString(PyExc_ValueError, "num_envs must be >= 1");
        return NULL;
    }
    if (parse_params(tuple, params) < 0) return NULL;
    if (check_action_contract() < 0) return NULL;
    int per_env = env_num_agents(params);
    if ((long long)per_env * num_envs > 100000000LL) {
        PyErr_SetString(PyExc_ValueError, "too many agents (num_envs * agents > 1e8)");
        return NULL;
    }
    VecEnv *vec = (VecEnv *)calloc(1, sizeof(VecEnv));
    if (vec == NULL) return PyErr_NoMemory();
    vec->agents_per_env = per_env;
    vec->num_agents = per_env * num_envs;
    if (bind_buffers(vec, objs) < 0) {
        vec_free(vec);
        free(vec);
        return NULL;
    }
    vec->envs = (Env *)calloc((size_t)num_envs, sizeof(Env));
    if (vec->envs == NULL) {
        vec_free(vec);
        free(vec);
        return PyErr_NoMemory();
    }
    for (int i = 0; i < num_envs; i++) {
        point_env_at_buffers(vec, i, autoreset);
        if (env_init(&vec->envs[i], params) != 0) {
            vec->num_envs = i + 1;
            vec_free(vec);
            free(vec);
            PyErr_Format(PyExc_ValueError, "%s: env_init failed (parameters too large for "
                         "the grid, or out of memory)", ENV_SPEC.name);
            return NULL;
        }
    }
    vec->num_envs = num_envs;
    PyObject *capsule = PyCapsule_New(vec, CAPSULE_NAME, capsule_destructor);
    if (capsule == NULL) {
        vec_free(vec);
        free(vec);
    }
    return capsule;
}

// Env i gets seed + i, so a vector env and a single env with the same seed agree on env 0.
// Seeds wrap modulo 2**64 (unsigned arithmetic), so any seed below 2**64 is valid.
static PyObject *py_vec_reset(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *capsule;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "OK", &capsule, &seed)) return NULL;
    VecEnv *vec = take_vec(capsule);
    if (vec == NULL) return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < vec->num_envs; i++) env_reset(&vec->envs[i], seed + (uint64_t)i);
    Py_END_ALLOW_THREADS
    give_vec(capsule, vec);
    Py_RETURN_NONE;
}

// vec_step(capsule[, actions]): actions (int32, one per agent, or action_dim float32
// per agent for a continuous env; already validated) are copied into the env's actions
// buffer only once the env is known to be idle.
static PyObject *py_vec_step(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *capsule, *actions = NULL;
    if (!PyArg_ParseTuple(args, "O|O", &capsule, &actions)) return NULL;
    VecEnv *vec = take_vec(capsule);
    if (vec == NULL) return NULL;
    if (actions != NULL && actions != Py_None) {
        Py_buffer view;
        if (get_view(actions, &view, vec->num_agents * action_values(), 4,
                     GLUE_CONTINUOUS ? 'f' : 'i', "actions") < 0) {
            give_vec(capsule, vec);
            return NULL;
        }
        memcpy(vec->views[1].buf, view.buf, (size_t)view.len);
        PyBuffer_Release(&view);
    }
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < vec->num_envs; i++) env_step(&vec->envs[i]);
    Py_END_ALLOW_THREADS
    give_vec(capsule, vec);
    Py_RETURN_NONE;
}

// Means of the episodes finished since the last call (all agents); clears the sums.
static PyObject *py_vec_log(PyObject *self, PyObject *capsule) {
    (void)self;
    VecEnv *vec = get_vec(capsule);
    if (vec == NULL) return NULL;
    Log sum = {0};
    Log *logs = (Log *)vec->views[5].buf;
    for (int i = 0; i < vec->num_agents; i++) {
        Log *log = &logs[i];
        sum.n += log->n;
        sum.episode_return += log->episode_return;
        sum.episode_length += log->episode_length;
        sum.score += log->score;
        sum.perf += log->perf;
        memset(log, 0, sizeof(Log));
    }
    if (sum.n == 0.0f) return PyDict_New();
    return Py_BuildValue("{s:f,s:f,s:f,s:f,s:f}", "n", (double)sum.n, "episode_return",
                         (double)(sum.episode_return / sum.n), "episode_length",
                         (double)(sum.episode_length / sum.n), "score",
                         (double)(sum.score / sum.n), "perf", (double)(sum.perf / sum.n));
}

// Fills an action buffer (int32 per agent, or action_dim float32 per agent) with the
// scripted baseline's actions.
static PyObject *py_vec_baseline(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *capsule, *out;
    if (!PyArg_ParseTuple(args, "OO", &capsule, &out)) return NULL;
    VecEnv *vec = get_vec(capsule);
    if (vec == NULL) return NULL;
    Py_buffer view;
    if (get_view(out, &view, vec->num_agents * action_values(), 4,
                 GLUE_CONTINUOUS ? 'f' : 'i', "baseline actions") < 0)
        return NULL;
    for (int i = 0; i < vec->num_envs; i++) {
        char *first = (char *)view.buf + (size_t)i * vec->agents_per_env * action_item_size();
        for (int a = 0; a < vec->agents_per_env; a++) baseline_into(&vec->envs[i], a, first);
    }
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

// Waits for a step or reset running in another thread to finish (new calls are refused
// from now on), then frees the envs. Closing twice is fine.
static PyObject *py_vec_close(PyObject *self, PyObject *capsule) {
    (void)self;
    VecEnv *vec = (VecEnv *)PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (vec == NULL) return NULL;
    if (vec->closed || vec->closing) Py_RETURN_NONE;
    vec->closing = 1;
    while (vec->busy) {
        Py_BEGIN_ALLOW_THREADS
        struct timespec pause = {0, 100000};  // 0.1 ms
        nanosleep(&pause, NULL);
        Py_END_ALLOW_THREADS
    }
    vec_free(vec);
    Py_RETURN_NONE;
}

static PyMethodDef METHODS[] = {
    {"spec", py_spec, METH_NOARGS, "The env's spec as a dict."},
    {"num_agents", py_num_agents, METH_VARARGS, "Agents per env for a params tuple."},
    {"vec_init", py_vec_init, METH_VARARGS, "Create num_envs envs over the buffers."},
    {"vec_reset", py_vec_reset, METH_VARARGS, "Reset all envs (env i gets seed + i)."},
    {"vec_step", py_vec_step, METH_VARARGS, "Step all envs once."},
    {"vec_log", py_vec_log, METH_O, "Mean episode stats since the last call."},
    {"vec_baseline", py_vec_baseline, METH_VARARGS, "Scripted baseline actions."},
    {"vec_close", py_vec_close, METH_O, "Free the envs."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_env", NULL, -1, METHODS,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__env(void) {
    return PyModule_Create(&MODULE);
}
