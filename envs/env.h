// ShiftPlay environment contract.
//
// An environment is a folder envs/<name>/ (the rule: envs/discover.py) with two headers:
// envs/<name>/<name>.h, pure C logic (no raylib, no Python, no global mutable state,
// memory allocated once in env_init, its own seeded RNG), and envs/<name>/<name>_render.h,
// its drawing and human input. `make new-env NAME=x` writes both from a template.
// The generic glue (envs/binding.c for Python, web/wasm_entry.c for the browser,
// tests/c/fuzz.c for the sanitizer run) includes exactly one env header and uses only
// the names listed below; envs/glue.h checks at compile time that each exists with its
// exact type, so a missing one fails the build. Adding an env touches no glue.
// Env headers include this file as "../env.h"; their constants carry the env's name
// (PONG_PADDLE_SPEED) so no two headers clash.
//
// Every env header must provide, after including this file:
//
//   typedef struct ... Env;            // the env's state; its first member is `EnvIO io;`
//   static const EnvSpec ENV_SPEC;     // name, observation layout, actions, params
//   static int  env_num_agents(const int *params);
//   static int  env_init(Env *env, const int *params);  // allocate; 0 on success
//   static void env_reset(Env *env, uint64_t seed);     // new episode(s), reseed RNG
//   static void env_step(Env *env);    // read io.actions, write io.obs/rewards/terminals
//   static void env_close(Env *env);   // free what env_init allocated (also safe after
//                                      // a failed env_init on a zeroed Env)
//   static int  env_baseline_action(Env *env, int agent);  // scripted player
//
// Actions come in one of two kinds (ENV_SPEC.action_kind):
//   ACTION_DISCRETE (the default): io.actions holds one int32 per agent, in
//     [0, num_actions); the baseline and the human return one int.
//   ACTION_CONTINUOUS: io.continuous_actions holds action_dim float32 values per agent
//     (agent a's at a * action_dim), dimension i in [action_low[i], action_high[i]];
//     action_names names the dimensions and num_actions is 0. env_step must clamp every
//     value into its bounds and treat NaN as 0 (clamped), with action_value() below: C
//     never trusts the buffer (the Python binding rejects such actions before they get
//     here). Such an env header defines ENV_CONTINUOUS_ACTIONS before it includes this
//     file and provides, INSTEAD of env_baseline_action,
//       static void env_baseline_continuous(Env *env, int agent, float *action);
//     and its render header, instead of env_human_action,
//       static void env_human_continuous(Env *env, int agent, float *action);
//     each writing action_dim values. envs/glue.h turns both kinds into one interface
//     for the glue, which never names a kind-specific function itself.
//
// `params` is an array of ENV_SPEC.num_params ints in the order of ENV_SPEC.params,
// already range-checked by the caller. The caller zeroes the Env, then sets io (buffers,
// autoreset) BEFORE env_init; env_init must not clear io. Buffers are caller-owned. Actions outside [0, num_actions) must be treated as the
// env's no-op action (the Python binding rejects them before they get here).
//
// When an agent's episode ends, env_step sets its terminal (or truncation) flag, adds
// the finished episode to io.log[agent] (one Log per agent, so every episode's score is
// known exactly even when several agents finish on the same step), and, if io.autoreset is set, starts the next episode
// at once and writes that episode's first observation. With autoreset off, a finished
// agent is frozen until env_reset: every later env_step leaves its observation as the
// final one, writes reward 0, keeps its terminal/truncation flag as set, and logs
// nothing (other agents of the same Env play on). env_reset clears rewards and flags.
// tests/test_autoreset.py checks this for every env.
//
// env_step must be deterministic given the seed and the actions, and must produce
// bit-identical results natively and in WebAssembly: build with -ffp-contract=off,
// use only + - * / and sqrtf on floats (no sinf/cosf/powf/expf), and RNG from Rng.
//
// The render header, envs/<name>/<name>_render.h (only web/wasm_entry.c includes it; it
// includes raylib.h and the logic header) must provide:
//
//   static const int RENDER_WIDTH, RENDER_HEIGHT;  // canvas size in pixels
//   static const int RENDER_STEPS_PER_SECOND;      // env steps per second at 1x speed:
//                                                  // 60 for real-time games, ~12 for a grid
//   static void env_render(Env *env, int highlight_agent);  // draw one frame; called
//                    // between BeginDrawing/EndDrawing; highlight_agent is the agent the
//                    // human drives (-1: none), drawn so it stands out
//   static int  env_human_action(Env *env, int agent);  // the action for the keys held now
//                    // (raylib IsKeyDown); with no game key held, ENV_SPEC.noop_action
//                    // (or, if that is -1, whatever keeps the agent going, e.g. Snake's
//                    // current heading)
#ifndef SHIFTPLAY_ENV_H
#define SHIFTPLAY_ENV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { OBS_FLOAT32 = 0, OBS_UINT8 = 1 };
enum { ACTION_DISCRETE = 0, ACTION_CONTINUOUS = 1 };

typedef struct {
    const char *name;      // keyword accepted by envs.make(..., name=value)
    int default_value;
    int min_value;
    int max_value;
    const char *help;
} EnvParam;

// A run of consecutive observation values with one meaning and one value range, e.g.
// "bricks": 108 values in [0, 1]. ENV_SPEC.obs_groups covers the observation in order:
// group 0 starts at 0, each next group starts where the previous one ends, and the last
// ends at obs_height * obs_width. Every observed value lies in its group's [low, high].
typedef struct {
    const char *name;
    int start;
    int count;
    float low;
    float high;
} ObsGroup;

// The observation value that the human's agent moves down (decrease_action) or up
// (increase_action), e.g. Pong's "paddle_y" with UP/DOWN. Tests and the page use it to
// check that the keys reach the game.
typedef struct {
    const char *label;        // one of ENV_SPEC.obs_labels
    int decrease_action;
    int increase_action;
} ControlObs;

typedef struct {
    const char *name;         // directory and module name, e.g. "breakout"
    const char *title;        // for humans, e.g. "Breakout"
    const char *description;  // one line
    const char *controls;     // human controls, one line
    int obs_dtype;            // OBS_FLOAT32 or OBS_UINT8
    int obs_height;           // observation per agent is obs_height x obs_width
    int obs_width;            // (vectors have obs_height = 1)
    float obs_low;            // every observation value lies in [obs_low, obs_high]
    float obs_high;
    int num_actions;
    const char *const *action_names;
    int num_params;
    const EnvParam *params;
    float max_score;          // best possible episode score with the DEFAULT params (when
                              // it depends on one, e.g. points_to_win); 0 if unbounded
    const char *score_name;   // what Log.score measures, e.g. "points"
    const char *const *obs_labels;  // one label per float observation; NULL for grids
    // The action that does nothing: what the human sends with no key down; touch
    // controls show no button for it. -1 if every action does something (Snake
    // always moves), and then actions outside [0, num_actions) are the no-op.
    int noop_action;
    // Grids (OBS_UINT8): the name of each cell code, code i -> obs_value_names[i], for
    // num_obs_values = obs_high - obs_low + 1 codes. NULL and 0 for float vectors.
    const char *const *obs_value_names;
    int num_obs_values;
    const ObsGroup *obs_groups;     // num_obs_groups groups covering the observation
    int num_obs_groups;
    const ControlObs *control_obs;  // NULL if no observation value follows the keys
    // The scripted baseline (env_baseline_action) reaches at least this mean score with
    // the default params; tests check it.
    float baseline_min_score;
    // Versus play: an env whose agents compete can be played human against bot.
    // versus_sides is the number of sides (0: no versus); side i is agent i when the
    // param named versus_param is set to 1 (that param makes the env num_agents ==
    // versus_sides; its other params keep their meaning). side_names[i] names side i for
    // humans ("first player", "left paddle"). NULL / 0 for envs without versus.
    int versus_sides;
    const char *versus_param;
    const char *const *side_names;
    // Turn-based envs (turn_based = 1): agents take turns. Observation values
    // action_mask_obs .. action_mask_obs + num_actions - 1 of an agent's observation are
    // its legal-action mask: nonzero iff that action is legal for it NOW. An agent whose
    // mask is all zero is not to move (another's turn, or the game is over) and its action
    // is ignored; an illegal action of the agent to move is a no-op (a small penalty in
    // training), and actions outside [0, num_actions) are a no-op without penalty. So the
    // policy masks illegal actions from its own input, and the page waits for the human
    // while the human's agent is to move: env_human_action returns -1 until the human has
    // chosen. Digit key i + 1 plays action i (num_actions <= 9 keys). Real-time envs (turn_based = 0; action_mask_obs unused): every agent acts on
    // every step.
    int turn_based;
    int action_mask_obs;
    // Action kind (see the top of this file). Left out, it is ACTION_DISCRETE and the
    // three fields below are unused. ACTION_CONTINUOUS: action_dim values per agent,
    // value i within [action_low[i], action_high[i]] (arrays of action_dim floats,
    // low < high); with no key down the human sends 0 clamped into the bounds.
    int action_kind;
    int action_dim;
    const float *action_low;
    const float *action_high;
} EnvSpec;

// Sums over an agent's finished episodes; the glue divides by n and clears it when read.
typedef struct {
    float n;
    float episode_return;
    float episode_length;
    float score;   // the game's own score (points, length, ...)
    float perf;    // env-defined success in [0, 1] (win, fraction of max score, ...)
} Log;

typedef struct {
    void *observations;    // num_agents * obs_height * obs_width, dtype per spec
    const int32_t *actions;  // num_agents (discrete envs; NULL for continuous ones)
    float *rewards;        // num_agents
    uint8_t *terminals;    // num_agents
    uint8_t *truncations;  // num_agents
    Log *log;              // num_agents: episodes that ended, per agent
    int autoreset;         // 1: start the next episode inside env_step
    const float *continuous_actions;  // num_agents * action_dim (continuous envs; else NULL)
} EnvIO;

static inline void log_add(Log *log, float episode_return, float episode_length,
                           float score, float perf) {
    log->n += 1.0f;
    log->episode_return += episode_return;
    log->episode_length += episode_length;
    log->score += score;
    log->perf += perf;
}

// Small, fast, portable RNG (xorshift64* seeded through splitmix64). Same numbers in
// every build: only 64-bit integer arithmetic.
typedef struct {
    uint64_t state;
} Rng;

static inline void rng_seed(Rng *rng, uint64_t seed) {
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    rng->state = z ? z : 0x2545F4914F6CDD1Dull;
}

static inline uint32_t rng_next(Rng *rng) {
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

// Uniform integer in [0, n), n >= 1.
static inline int rng_int(Rng *rng, int n) {
    return (int)(((uint64_t)rng_next(rng) * (uint64_t)n) >> 32);
}

// Uniform float in [0, 1), exactly representable (24 random bits).
static inline float rng_float(Rng *rng) {
    return (float)(rng_next(rng) >> 8) * (1.0f / 16777216.0f);
}

static inline float clampf(float x, float lo, float hi) {
    if (x < lo) return lo;
    if (x > hi) return hi;
    return x;
}

// Continuous action value `x` for a dimension with bounds [lo, hi]: clamped into them,
// NaN read as 0 (then clamped). Every continuous env reads its actions through this.
static inline float action_value(float x, float lo, float hi) {
    if (x != x) x = 0.0f;
    return clampf(x, lo, hi);
}

#endif
