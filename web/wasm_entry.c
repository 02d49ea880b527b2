// Generic WebAssembly entry: one env + its raylib renderer, driven from JavaScript.
//
// Built once per env by build_web.sh with
//   -DENV_HEADER='"<name>/<name>.h"' -DRENDER_HEADER='"<name>/<name>_render.h"'
// and uses only the names of the env contract (envs/env.h) plus the render header's
// RENDER_WIDTH, RENDER_HEIGHT, env_render and env_human_action (env_human_continuous for
// a continuous env). Nothing here names an env.
//
// The JavaScript side (web/static/play.js) owns the frame loop: it reads input, writes the
// actions into the buffer at sp_actions_ptr() (int32 per agent, or sp_action_dim() float32
// per agent for a continuous env: sp_action_kind()), calls sp_step(), then sp_render().
// sp_create() never touches raylib, so the module also runs headless (node) for the
// parity tests and the benchmark; sp_render_init() opens the "window" (the canvas).
#include <emscripten.h>
#include <stdio.h>

#include ENV_HEADER
#include RENDER_HEADER
#include "glue.h"
#include "bench_loop.h"

#define EXPORT EMSCRIPTEN_KEEPALIVE

// The render header's names (envs/env.h) with their exact types: a missing one fails
// the build here.
__attribute__((unused)) static const struct {
    void (*render)(Env *env, int highlight_agent);
    const int *width;
    const int *height;
    const int *steps_per_second;
} RENDER_CONTRACT = {env_render, &RENDER_WIDTH, &RENDER_HEIGHT, &RENDER_STEPS_PER_SECOND};

enum { MAX_ACTION_DIM = 64 };
static float g_human[MAX_ACTION_DIM];  // the human's last continuous action

// The human's action for `agent` by action kind: the discrete action, or 0 after
// writing the action_dim values to g_human.
#ifdef ENV_CONTINUOUS_ACTIONS
static void (*const RENDER_HUMAN)(Env *, int, float *) = env_human_continuous;
static int human_action(Env *env, int agent) {
    RENDER_HUMAN(env, agent, g_human);
    return 0;
}
#else
static int (*const RENDER_HUMAN)(Env *, int) = env_human_action;
static int human_action(Env *env, int agent) {
    return RENDER_HUMAN(env, agent);
}
#endif

// Per-agent episode bookkeeping, read by JavaScript as float32[SP_STATS_FIELDS] per agent.
enum {
    ST_RETURN = 0,      // running episode: sum of rewards so far
    ST_LENGTH,          // running episode: steps so far
    ST_LAST_RETURN,     // last finished episode: return
    ST_LAST_LENGTH,     // last finished episode: length
    ST_LAST_SCORE,      // last finished episode: the game's score (from the env's Log)
    ST_LAST_PERF,       // last finished episode: perf in [0, 1]
    ST_EPISODES,        // episodes finished by this agent
    ST_DONE,            // 1 if this agent's episode ended on the last step
    SP_STATS_FIELDS
};

static Env g_env;
static int g_created;
static int g_window;
static int g_params[MAX_PARAMS];
static int g_num_agents;
static void *g_obs;
static void *g_actions;  // action_item_size() bytes per agent
static float *g_rewards;
static uint8_t *g_terminals;
static uint8_t *g_truncations;
static Log *g_logs;  // one per agent: the episodes that ended on the last step
static float *g_stats;
static char *g_spec_json;

static void free_buffers(void) {
    free(g_obs);
    free(g_actions);
    free(g_rewards);
    free(g_terminals);
    free(g_truncations);
    free(g_stats);
    free(g_logs);
    g_obs = NULL;
    g_actions = NULL;
    g_rewards = NULL;
    g_terminals = NULL;
    g_truncations = NULL;
    g_stats = NULL;
    g_logs = NULL;
}

EXPORT void sp_destroy(void) {
    if (g_created) env_close(&g_env);
    memset(&g_env, 0, sizeof(g_env));
    free_buffers();
    g_created = 0;
    g_num_agents = 0;
}

static void clear_episode_stats(void) {
    memset(g_stats, 0, sizeof(float) * SP_STATS_FIELDS * (size_t)g_num_agents);
    memset(g_logs, 0, sizeof(Log) * (size_t)g_num_agents);
}

EXPORT void sp_reset(uint32_t seed_lo, uint32_t seed_hi) {
    if (!g_created) return;
    env_reset(&g_env, ((uint64_t)seed_hi << 32) | (uint64_t)seed_lo);
    clear_episode_stats();
}

// Creates the env with `params` (ENV_SPEC.num_params ints; NULL: the defaults) and resets
// it with the 64-bit seed (seed_hi << 32 | seed_lo). Returns 0, or -1 if a param is out of
// range or env_init fails, -2 if out of memory.
EXPORT int sp_create(uint32_t seed_lo, uint32_t seed_hi, const int32_t *params) {
    sp_destroy();
    if (default_params(g_params) < 0) return -1;
    for (int i = 0; i < ENV_SPEC.num_params; i++) {
        const EnvParam *p = &ENV_SPEC.params[i];
        if (params != NULL) g_params[i] = params[i];
        if (g_params[i] < p->min_value || g_params[i] > p->max_value) return -1;
    }
    int n = env_num_agents(g_params);
    if (n < 1 || action_contract_error() != NULL || action_values() > MAX_ACTION_DIM) return -1;
    g_num_agents = n;
    g_obs = calloc((size_t)n * obs_per_agent(), obs_item_size());
    g_actions = calloc((size_t)n, action_item_size());
    g_rewards = (float *)calloc((size_t)n, sizeof(float));
    g_terminals = (uint8_t *)calloc((size_t)n, 1);
    g_truncations = (uint8_t *)calloc((size_t)n, 1);
    g_stats = (float *)calloc((size_t)n * SP_STATS_FIELDS, sizeof(float));
    g_logs = (Log *)calloc((size_t)n, sizeof(Log));
    if (!g_obs || !g_actions || !g_rewards || !g_terminals || !g_truncations || !g_stats ||
        !g_logs) {
        free_buffers();
        g_num_agents = 0;
        return -2;
    }
    g_env.io.observations = g_obs;
    attach_actions(&g_env.io, g_actions);
    g_env.io.rewards = g_rewards;
    g_env.io.terminals = g_terminals;
    g_env.io.truncations = g_truncations;
    g_env.io.log = g_logs;
    g_env.io.autoreset = 1;
    g_created = 1;  // from here env_close is due, even after a failed env_init
    if (env_init(&g_env, g_params) != 0) {
        sp_destroy();
        return -1;
    }
    sp_reset(seed_lo, seed_hi);
    return 0;
}

// One env_step with the actions JavaScript wrote at sp_actions_ptr(); updates the stats.
EXPORT void sp_step(void) {
    if (!g_created) return;
    env_step(&g_env);
    for (int a = 0; a < g_num_agents; a++) {
        float *s = g_stats + (size_t)a * SP_STATS_FIELDS;
        s[ST_RETURN] += g_rewards[a];
        s[ST_LENGTH] += 1.0f;
        s[ST_DONE] = 0.0f;
        if (g_terminals[a] || g_truncations[a]) {
            s[ST_LAST_RETURN] = s[ST_RETURN];
            s[ST_LAST_LENGTH] = s[ST_LENGTH];
            s[ST_RETURN] = 0.0f;
            s[ST_LENGTH] = 0.0f;
            s[ST_EPISODES] += 1.0f;
            s[ST_DONE] = 1.0f;
            if (g_logs[a].n > 0.0f) {
                s[ST_LAST_SCORE] = g_logs[a].score / g_logs[a].n;
                s[ST_LAST_PERF] = g_logs[a].perf / g_logs[a].n;
            }
            memset(&g_logs[a], 0, sizeof(Log));
        }
    }
}

// The scripted baseline's actions for every agent, written to `out` (an action buffer:
// int32[num_agents], or float32[num_agents * action_dim]).
EXPORT void sp_baseline_fill(void *out) {
    if (!g_created) return;
    for (int a = 0; a < g_num_agents; a++) baseline_into(&g_env, a, out);
}

// The human's action for `agent` from the keys raylib sees held (needs sp_render_init).
// Autoreset on (the default): a finished episode restarts at once. Off: the final state
// stays on screen until sp_reset (versus games end on their last position).
EXPORT void sp_set_autoreset(int on) {
    g_env.io.autoreset = on ? 1 : 0;
}

// Continuous envs: returns 0 and leaves the action_dim values at sp_human_ptr() (0s,
// clamped into the bounds, without a window).
EXPORT int sp_human_action(int agent) {
    if (!g_created || !g_window || agent < 0 || agent >= g_num_agents) {
        for (int i = 0; i < action_values() && GLUE_CONTINUOUS; i++)
            g_human[i] = action_value(0.0f, ENV_SPEC.action_low[i], ENV_SPEC.action_high[i]);
        return 0;
    }
    return human_action(&g_env, agent);
}

EXPORT float *sp_human_ptr(void) { return g_human; }

// Opens the raylib window on Module.canvas. Separate from sp_create so the module can
// run without a canvas. Returns 0 (also when already open).
EXPORT int sp_render_init(void) {
    if (g_window) return 0;
    SetTraceLogLevel(LOG_WARNING);
    InitWindow(RENDER_WIDTH, RENDER_HEIGHT, ENV_SPEC.title);
    g_window = 1;
    return 0;
}

EXPORT void sp_render(int highlight_agent) {
    if (!g_created || !g_window) return;
    BeginDrawing();
    env_render(&g_env, highlight_agent);
    EndDrawing();
}

EXPORT void *sp_obs_ptr(void) { return g_obs; }
EXPORT void *sp_actions_ptr(void) { return g_actions; }
EXPORT float *sp_rewards_ptr(void) { return g_rewards; }
EXPORT uint8_t *sp_terminals_ptr(void) { return g_terminals; }
EXPORT uint8_t *sp_truncations_ptr(void) { return g_truncations; }
EXPORT float *sp_stats_ptr(void) { return g_stats; }
EXPORT int sp_stats_fields(void) { return SP_STATS_FIELDS; }
EXPORT int sp_num_agents(void) { return g_num_agents; }
EXPORT int sp_obs_size(void) { return (int)obs_per_agent(); }
EXPORT int sp_obs_dtype(void) { return ENV_SPEC.obs_dtype; }
EXPORT int sp_obs_item_size(void) { return (int)obs_item_size(); }
EXPORT int sp_num_actions(void) { return ENV_SPEC.num_actions; }
EXPORT int sp_action_kind(void) { return ENV_SPEC.action_kind; }
EXPORT int sp_action_dim(void) { return action_values(); }
EXPORT int sp_render_width(void) { return RENDER_WIDTH; }
EXPORT int sp_render_height(void) { return RENDER_HEIGHT; }
EXPORT int sp_steps_per_second(void) { return RENDER_STEPS_PER_SECOND; }

// Benchmark: `steps` steps with random actions from an Rng seeded with action_seed.
EXPORT double sp_bench(int steps, uint32_t action_seed) {
    if (!g_created) return 0.0;
    return bench_loop(&g_env, g_actions, g_num_agents, steps, (uint64_t)action_seed);
}

// ---- ENV_SPEC as JSON -------------------------------------------------------------

typedef struct {
    char *buf;
    size_t len;
    size_t cap;
} Json;

static void json_raw(Json *j, const char *s, size_t n) {
    if (j->buf == NULL) return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap * 2 + n + 64;
        char *grown = (char *)realloc(j->buf, cap);
        if (grown == NULL) {
            free(j->buf);
            j->buf = NULL;
            return;
        }
        j->buf = grown;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = 0;
}

static void json_lit(Json *j, const char *s) {
    json_raw(j, s, strlen(s));
}

static void json_str(Json *j, const char *s) {
    if (s == NULL) {
        json_lit(j, "null");
        return;
    }
    json_lit(j, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            json_raw(j, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            json_lit(j, esc);
        } else {
            json_raw(j, (const char *)p, 1);
        }
    }
    json_lit(j, "\"");
}

static void json_key(Json *j, const char *key) {
    char last = (j->buf != NULL && j->len > 0) ? j->buf[j->len - 1] : '{';
    if (last != '{' && last != '[') json_lit(j, ",");
    json_str(j, key);
    json_lit(j, ":");
}

static void json_int(Json *j, const char *key, long long v) {
    char num[32];
    json_key(j, key);
    snprintf(num, sizeof(num), "%lld", v);
    json_lit(j, num);
}

static void json_float(Json *j, const char *key, float v) {
    char num[48];
    json_key(j, key);
    snprintf(num, sizeof(num), "%.9g", (double)v);
    json_lit(j, num);
}

static void json_kstr(Json *j, const char *key, const char *v) {
    json_key(j, key);
    json_str(j, v);
}

static void json_str_list(Json *j, const char *key, const char *const *items, int n) {
    json_key(j, key);
    if (items == NULL) {
        json_lit(j, "null");
        return;
    }
    json_lit(j, "[");
    for (int i = 0; i < n; i++) {
        if (i) json_lit(j, ",");
        json_str(j, items[i]);
    }
    json_lit(j, "]");
}

static void json_groups(Json *j) {
    json_key(j, "obs_groups");
    json_lit(j, "[");
    for (int i = 0; i < ENV_SPEC.num_obs_groups; i++) {
        const ObsGroup *g = &ENV_SPEC.obs_groups[i];
        if (i) json_lit(j, ",");
        json_lit(j, "{");
        json_kstr(j, "name", g->name);
        json_int(j, "start", g->start);
        json_int(j, "count", g->count);
        json_float(j, "low", g->low);
        json_float(j, "high", g->high);
        json_lit(j, "}");
    }
    json_lit(j, "]");
}

static void json_control(Json *j) {
    const ControlObs *c = ENV_SPEC.control_obs;
    json_key(j, "control_obs");
    if (c == NULL) {
        json_lit(j, "null");
        return;
    }
    json_lit(j, "{");
    json_kstr(j, "label", c->label);
    json_int(j, "decrease_action", c->decrease_action);
    json_int(j, "increase_action", c->increase_action);
    json_lit(j, "}");
}

// Versus play and turn taking, the same keys as the binding's spec() (envs/env.h).
static void json_versus(Json *j) {
    int sides = ENV_SPEC.versus_sides;
    json_int(j, "versus_sides", sides);
    json_key(j, "versus_param");
    json_str(j, sides > 0 ? ENV_SPEC.versus_param : NULL);
    json_str_list(j, "side_names", sides > 0 ? ENV_SPEC.side_names : NULL, sides);
    json_key(j, "turn_based");
    json_lit(j, ENV_SPEC.turn_based ? "true" : "false");
    if (ENV_SPEC.turn_based) {
        json_int(j, "action_mask_obs", ENV_SPEC.action_mask_obs);
    } else {
        json_key(j, "action_mask_obs");
        json_lit(j, "null");
    }
}

static void json_float_list(Json *j, const char *key, const float *values, int n) {
    json_key(j, key);
    if (values == NULL) {
        json_lit(j, "null");
        return;
    }
    json_lit(j, "[");
    for (int i = 0; i < n; i++) {
        char num[48];
        snprintf(num, sizeof(num), "%s%.9g", i ? "," : "", (double)values[i]);
        json_lit(j, num);
    }
    json_lit(j, "]");
}

// The action kind, the same keys as the binding's spec() (envs/env.h).
static void json_actions(Json *j) {
    int continuous = GLUE_CONTINUOUS;
    json_kstr(j, "action_kind", continuous ? "continuous" : "discrete");
    json_int(j, "action_dim", action_values());
    json_float_list(j, "action_low", continuous ? ENV_SPEC.action_low : NULL, action_values());
    json_float_list(j, "action_high", continuous ? ENV_SPEC.action_high : NULL, action_values());
}

// The spec (same fields as the Python binding's spec()) plus what the web glue adds:
// obs_shape, render size, default num_agents, steps_per_second, stats layout.
EXPORT const char *sp_spec_json(void) {
    if (g_spec_json != NULL) return g_spec_json;
    Json j = {(char *)malloc(256), 0, 256};
    if (j.buf == NULL) return "{}";
    j.buf[0] = 0;
    json_lit(&j, "{");
    json_kstr(&j, "name", ENV_SPEC.name);
    json_kstr(&j, "title", ENV_SPEC.title);
    json_kstr(&j, "description", ENV_SPEC.description);
    json_kstr(&j, "controls", ENV_SPEC.controls);
    json_kstr(&j, "obs_dtype", obs_dtype_name());
    json_int(&j, "obs_height", ENV_SPEC.obs_height);
    json_int(&j, "obs_width", ENV_SPEC.obs_width);
    json_int(&j, "obs_size", (long long)obs_per_agent());
    json_key(&j, "obs_shape");
    {
        char shape[64];
        if (ENV_SPEC.obs_height == 1) snprintf(shape, sizeof(shape), "[%d]", ENV_SPEC.obs_width);
        else snprintf(shape, sizeof(shape), "[%d,%d]", ENV_SPEC.obs_height, ENV_SPEC.obs_width);
        json_lit(&j, shape);
    }
    json_float(&j, "obs_low", ENV_SPEC.obs_low);
    json_float(&j, "obs_high", ENV_SPEC.obs_high);
    json_int(&j, "num_actions", ENV_SPEC.num_actions);
    json_str_list(&j, "action_names", ENV_SPEC.action_names, action_name_count());
    json_actions(&j);
    json_key(&j, "params");
    json_lit(&j, "[");
    int defaults[MAX_PARAMS];
    int have_defaults = default_params(defaults) == 0;
    for (int i = 0; i < ENV_SPEC.num_params; i++) {
        const EnvParam *p = &ENV_SPEC.params[i];
        if (i) json_lit(&j, ",");
        json_lit(&j, "{");
        json_kstr(&j, "name", p->name);
        json_int(&j, "default", p->default_value);
        json_int(&j, "min", p->min_value);
        json_int(&j, "max", p->max_value);
        json_kstr(&j, "help", p->help);
        json_lit(&j, "}");
    }
    json_lit(&j, "]");
    json_float(&j, "max_score", ENV_SPEC.max_score);
    json_kstr(&j, "score_name", ENV_SPEC.score_name);
    json_str_list(&j, "obs_labels", ENV_SPEC.obs_labels, (int)obs_per_agent());
    json_int(&j, "noop_action", ENV_SPEC.noop_action);
    json_str_list(&j, "obs_value_names", ENV_SPEC.obs_value_names, ENV_SPEC.num_obs_values);
    json_groups(&j);
    json_control(&j);
    json_float(&j, "baseline_min_score", ENV_SPEC.baseline_min_score);
    json_versus(&j);
    json_int(&j, "num_agents", have_defaults ? env_num_agents(defaults) : 0);
    json_int(&j, "render_width", RENDER_WIDTH);
    json_int(&j, "render_height", RENDER_HEIGHT);
    json_int(&j, "steps_per_second", RENDER_STEPS_PER_SECOND);
    json_int(&j, "stats_fields", SP_STATS_FIELDS);
    json_lit(&j, "}");
    if (j.buf == NULL) return "{}";
    g_spec_json = j.buf;
    return g_spec_json;
}
