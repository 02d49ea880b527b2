// {{Title}}: catch the falling dot. A template made by `make new-env NAME={{name}}`:
// a tiny but complete game that builds, plays, trains and passes `make test` as is.
// Replace the game, keep the shape. The contract is in envs/env.h; read it first.
//
// Rules: a dot falls from the top at a random x and drifts sideways, bouncing off the
// side walls. The agent moves a paddle along the bottom (NOOP, LEFT, RIGHT). A caught
// dot is +1, a missed one -1. An episode is `drops` dots; the score is the dots caught.
//
// Units: the field is 1 x 1, y grows downward. Only + - * / on floats (no sinf/powf),
// random numbers only from the env's own Rng: the same seed and actions give the same
// game natively and in the browser.
#ifndef SHIFTPLAY_{{NAME}}_H
#define SHIFTPLAY_{{NAME}}_H

#include "../env.h"

// Constants carry the env's name, so headers never clash.
#define {{NAME}}_PADDLE_HALF 0.08f  // half the paddle's width
#define {{NAME}}_PADDLE_SPEED 0.04f // per step
#define {{NAME}}_MIN_FALL 0.015f    // dot's fall per step: uniform in [MIN, MAX)
#define {{NAME}}_MAX_FALL 0.03f
#define {{NAME}}_MAX_DRIFT 0.01f    // dot's sideways speed per step: within +-MAX_DRIFT
#define {{NAME}}_DEFAULT_DROPS 20

enum { {{NAME}}_NOOP = 0, {{NAME}}_LEFT = 1, {{NAME}}_RIGHT = 2, {{NAME}}_NUM_ACTIONS = 3 };

// The observation: 5 floats per agent, named here and grouped with value ranges below.
enum { {{NAME}}_OBS_SIZE = 5 };

static const char *const {{NAME}}_ACTION_NAMES[{{NAME}}_NUM_ACTIONS] = {"NOOP", "LEFT", "RIGHT"};

static const char *const {{NAME}}_OBS_LABELS[{{NAME}}_OBS_SIZE] = {
    "paddle_x", "dot_x", "dot_y", "dot_vx", "drops_left"};

// Consecutive slices of the observation, in order, each with its value range: the
// Python Box, the page's bars and the tests read them.
static const ObsGroup {{NAME}}_OBS_GROUPS[] = {
    {"paddle", 0, 1, 0.0f, 1.0f},        // paddle_x
    {"dot_position", 1, 2, 0.0f, 1.0f},  // dot_x, dot_y
    {"dot_velocity", 3, 1, -1.0f, 1.0f}, // dot_vx / MAX_DRIFT
    {"drops_left", 4, 1, 0.0f, 1.0f},    // fraction of the episode's drops
};

// The observation the human's keys move: tests check LEFT lowers it, RIGHT raises it.
static const ControlObs {{NAME}}_CONTROL = {"paddle_x", {{NAME}}_LEFT, {{NAME}}_RIGHT};

// Integer params, set with envs.make("{{name}}", drops=50) or the page's URL.
static const EnvParam {{NAME}}_PARAMS[] = {
    {"drops", {{NAME}}_DEFAULT_DROPS, 1, 1000, "dots per episode"},
};

static const EnvSpec ENV_SPEC = {
    .name = "{{name}}", .title = "{{Title}}", .score_name = "dots caught",
    .description = "Catch the falling dot with the paddle.",
    .controls = "Left/Right or A/D move the paddle",
    .max_score = (float){{NAME}}_DEFAULT_DROPS,  // every dot caught, at the default drops
    .baseline_min_score = 15.0f,  // env_baseline_action's mean score, with a margin
    // The observation: {{NAME}}_OBS_SIZE labelled floats in [-1, 1], in groups. A grid
    // would be OBS_UINT8 with obs_height rows and name its cell codes in obs_value_names.
    .obs_dtype = OBS_FLOAT32, .obs_height = 1, .obs_width = {{NAME}}_OBS_SIZE,
    .obs_low = -1.0f, .obs_high = 1.0f, .obs_labels = {{NAME}}_OBS_LABELS,
    .obs_groups = {{NAME}}_OBS_GROUPS, .num_obs_groups = 4, .control_obs = &{{NAME}}_CONTROL,
    .num_actions = {{NAME}}_NUM_ACTIONS, .action_names = {{NAME}}_ACTION_NAMES,
    .noop_action = {{NAME}}_NOOP,
    .num_params = 1, .params = {{NAME}}_PARAMS,
    // Fields left out are 0 / NULL: no versus play (versus_sides), not turn-based.
};

typedef struct {
    EnvIO io;  // first member: buffers the caller owns (see envs/env.h)
    int drops;
    Rng rng;
    float paddle_x;
    float dot_x, dot_y, dot_vx, dot_vy;
    int drops_left;
    int caught;
    int steps;
    float episode_return;
    int done;  // episode over with autoreset off: frozen until env_reset (envs/env.h)
} Env;

static int env_num_agents(const int *params) {
    (void)params;
    return 1;
}

// Reads the params (already range-checked). Allocate here if the game needs memory.
static int env_init(Env *env, const int *params) {
    env->drops = params[0];
    return 0;
}

static void env_close(Env *env) {
    (void)env;
}

static void {{name}}_new_dot(Env *env) {
    env->dot_x = 0.05f + 0.9f * rng_float(&env->rng);
    env->dot_y = 0.0f;
    env->dot_vx = {{NAME}}_MAX_DRIFT * (2.0f * rng_float(&env->rng) - 1.0f);
    float fall = rng_float(&env->rng);
    env->dot_vy = {{NAME}}_MIN_FALL + ({{NAME}}_MAX_FALL - {{NAME}}_MIN_FALL) * fall;
}

static void {{name}}_write_obs(Env *env) {
    float *obs = (float *)env->io.observations;
    obs[0] = env->paddle_x;
    obs[1] = env->dot_x;
    obs[2] = env->dot_y;
    obs[3] = env->dot_vx / {{NAME}}_MAX_DRIFT;
    obs[4] = (float)env->drops_left / (float)env->drops;
}

static void {{name}}_new_episode(Env *env) {
    env->paddle_x = 0.5f;
    env->drops_left = env->drops;
    env->caught = 0;
    env->steps = 0;
    env->episode_return = 0.0f;
    env->done = 0;
    {{name}}_new_dot(env);
    {{name}}_write_obs(env);
}

static void env_reset(Env *env, uint64_t seed) {
    rng_seed(&env->rng, seed);
    env->io.rewards[0] = 0.0f;
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
    {{name}}_new_episode(env);
}

// Moves the dot one step; returns +1 caught, -1 missed, 0 still falling.
static int {{name}}_move_dot(Env *env) {
    env->dot_x += env->dot_vx;
    if (env->dot_x < 0.0f) {
        env->dot_x = -env->dot_x;
        env->dot_vx = -env->dot_vx;
    } else if (env->dot_x > 1.0f) {
        env->dot_x = 2.0f - env->dot_x;
        env->dot_vx = -env->dot_vx;
    }
    env->dot_y += env->dot_vy;
    if (env->dot_y < 1.0f) return 0;
    float dx = env->dot_x - env->paddle_x;
    return (dx >= -{{NAME}}_PADDLE_HALF && dx <= {{NAME}}_PADDLE_HALF) ? 1 : -1;
}

static void env_step(Env *env) {
    if (env->done) {  // autoreset off: final observation, flags and log stay until reset
        env->io.rewards[0] = 0.0f;
        return;
    }
    int action = env->io.actions[0];  // out of range: treated as NOOP
    env->io.rewards[0] = 0.0f;
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
    if (action == {{NAME}}_LEFT) env->paddle_x -= {{NAME}}_PADDLE_SPEED;
    if (action == {{NAME}}_RIGHT) env->paddle_x += {{NAME}}_PADDLE_SPEED;
    env->paddle_x = clampf(env->paddle_x, 0.0f, 1.0f);
    env->steps += 1;
    int result = {{name}}_move_dot(env);
    if (result != 0) {
        env->io.rewards[0] = (float)result;
        env->episode_return += (float)result;
        if (result > 0) env->caught += 1;
        env->drops_left -= 1;
        if (env->drops_left == 0) {
            // Episode over: log it exactly once, then start the next one if asked to.
            float score = (float)env->caught;
            env->io.terminals[0] = 1;
            log_add(&env->io.log[0], env->episode_return, (float)env->steps, score,
                    score / (float)env->drops);
            if (env->io.autoreset) {
                {{name}}_new_episode(env);
                return;
            }
            env->dot_y = 1.0f;  // the final state stays until env_reset
            env->done = 1;
            {{name}}_write_obs(env);
            return;
        }
        {{name}}_new_dot(env);
    }
    {{name}}_write_obs(env);
}

// Scripted player: move toward the dot. Tests check it reaches baseline_min_score;
// the trained model must beat it.
static int env_baseline_action(Env *env, int agent) {
    (void)agent;
    float dx = env->dot_x - env->paddle_x;
    if (dx < -{{NAME}}_PADDLE_SPEED) return {{NAME}}_LEFT;
    if (dx > {{NAME}}_PADDLE_SPEED) return {{NAME}}_RIGHT;
    return {{NAME}}_NOOP;
}

#endif
