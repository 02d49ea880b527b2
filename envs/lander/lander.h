// Lander: fly a rocket down onto the landing pad. Continuous control: every step the
// agent sets the main engine's throttle in [0, 1] and the side thrusters in [-1, 1]
// (positive turns the rocket clockwise, tipping its nose to the right).
//
// Rules: the rocket starts high up with a random drift, tilt and spin over uneven
// ground with a flat pad somewhere on it. Touching down on the pad upright and slowly
// (speed <= LANDER_SAFE_SPEED, tilt within LANDER_SAFE_UP) is a landing: +100. Any other
// touchdown (too fast, tilted, off the pad) is a crash: -100; leaving the sky (sides or
// top) costs -100 too. In between, the reward is the change of a potential (closer to
// the pad, slower, more upright is better) minus a little for fuel: the main engine
// costs 0.3 per step at full throttle, the side thrusters 0.03. The episode's score is
// its return; a landing is a success (perf 1). Out of fuel the engines stop.
//
// Units: metres and seconds, y grows upward, one step is LANDER_DT seconds. The
// attitude is the rocket's unit "up" vector, turned by the angular velocity without
// sin/cos (u += w dt * perpendicular(u), then renormalised with sqrtf): the same seed
// and actions give the same flight natively and in the browser. Contract: envs/env.h.
#ifndef SHIFTPLAY_LANDER_H
#define SHIFTPLAY_LANDER_H

#define ENV_CONTINUOUS_ACTIONS 1  // a continuous env (envs/env.h)
#include <math.h>

#include "../env.h"

#define LANDER_W 40.0f            // world width; x in [0, W]
#define LANDER_H 30.0f            // sky height above y = 0
#define LANDER_DT (1.0f / 30.0f)  // seconds per step
#define LANDER_GRAVITY 3.0f       // m/s^2, downward
#define LANDER_MAIN_ACCEL 7.5f    // m/s^2 at full throttle, along the rocket's axis
#define LANDER_SIDE_ACCEL 3.0f    // rad/s^2 at full side thrust
#define LANDER_SPIN_DAMPING 0.995f  // angular velocity kept per step (thruster trim)
#define LANDER_MAIN_FUEL 0.0015f  // fuel (of 1) per step at full throttle
#define LANDER_SIDE_FUEL 0.0004f  // fuel per step at full side thrust
#define LANDER_MAX_SPEED 12.0f    // observation scale for speeds (m/s)
#define LANDER_MAX_SPIN 3.0f      // observation scale for the angular velocity (rad/s)
#define LANDER_LEG 0.9f           // legs' half span; the rocket's base is its (x, y)
#define LANDER_SAFE_SPEED 2.0f    // fastest touchdown that is a landing (m/s)
#define LANDER_SAFE_UP 0.95f      // a landing needs up_y >= this (tilt under ~18 degrees)
#define LANDER_SEGMENTS 20        // terrain: a polyline over SEGMENTS + 1 points
#define LANDER_SEGMENT_W (LANDER_W / (float)LANDER_SEGMENTS)
#define LANDER_PAD_SEGMENTS 4     // the pad spans this many flat segments
#define LANDER_PAD_HALF (0.5f * LANDER_PAD_SEGMENTS * LANDER_SEGMENT_W)
#define LANDER_MAX_GROUND 7.0f    // terrain heights in [0, MAX_GROUND]
#define LANDER_TOP (LANDER_H + 4.0f)  // above this the rocket has flown off
#define LANDER_DEFAULT_MAX_STEPS 900  // 30 s

enum { LANDER_OBS_SIZE = 9, LANDER_ACTION_DIM = 2 };
enum { LANDER_FLYING = 0, LANDER_LANDED = 1, LANDER_CRASHED = 2, LANDER_FLEW_OFF = 3,
       LANDER_TIMED_OUT = 4 };

static const char *const LANDER_ACTION_NAMES[LANDER_ACTION_DIM] = {"MAIN", "SIDE"};
static const float LANDER_ACTION_LOW[LANDER_ACTION_DIM] = {0.0f, -1.0f};
static const float LANDER_ACTION_HIGH[LANDER_ACTION_DIM] = {1.0f, 1.0f};

static const char *const LANDER_OBS_LABELS[LANDER_OBS_SIZE] = {
    "pad_dx", "height", "vx", "vy", "up_x", "up_y", "spin", "fuel", "clearance"};

static const ObsGroup LANDER_OBS_GROUPS[] = {
    {"position", 0, 2, -1.0f, 1.0f},   // pad minus x over W/2, height above the pad over H
    {"velocity", 2, 2, -1.0f, 1.0f},   // over MAX_SPEED, clamped
    {"attitude", 4, 2, -1.0f, 1.0f},   // the unit "up" vector
    {"spin", 6, 1, -1.0f, 1.0f},       // over MAX_SPIN, clamped
    {"fuel", 7, 1, 0.0f, 1.0f},
    {"clearance", 8, 1, 0.0f, 1.0f},   // height above the ground below over H, clamped
};

static const EnvParam LANDER_PARAMS[] = {
    {"max_steps", LANDER_DEFAULT_MAX_STEPS, 100, 100000, "steps before the flight is cut off"},
};

static const EnvSpec ENV_SPEC = {
    .name = "lander", .title = "Lander", .score_name = "points",
    .description = "Land the rocket softly on the pad: continuous throttle and side thrust.",
    .controls = "Up or W fires the main engine, Left/Right or A/D the side thrusters.",
    .max_score = 0.0f,  // the return has no fixed best
    .baseline_min_score = 60.0f,
    .obs_dtype = OBS_FLOAT32, .obs_height = 1, .obs_width = LANDER_OBS_SIZE,
    .obs_low = -1.0f, .obs_high = 1.0f, .obs_labels = LANDER_OBS_LABELS,
    .obs_groups = LANDER_OBS_GROUPS, .num_obs_groups = 6,
    // continuous actions: LANDER_ACTION_DIM floats, each within its [low, high]
    .action_kind = ACTION_CONTINUOUS, .action_dim = LANDER_ACTION_DIM,
    .action_low = LANDER_ACTION_LOW, .action_high = LANDER_ACTION_HIGH,
    .action_names = LANDER_ACTION_NAMES, .noop_action = -1,
    .num_params = 1, .params = LANDER_PARAMS,
};

typedef struct {
    EnvIO io;
    int max_steps;
    Rng rng;
    float ground[LANDER_SEGMENTS + 1];  // terrain height at x = i * SEGMENT_W
    float pad_x, pad_y;                 // pad center and height
    float x, y, vx, vy;
    float up_x, up_y;                   // unit vector along the rocket's axis
    float spin;                         // rad/s, positive clockwise
    float fuel;
    float throttle, side;               // the actions applied last step (for drawing)
    float potential;                    // shaping potential of the current state
    float touchdown_speed;              // speed at this flight's touchdown (-1: none yet)
    int outcome;                        // LANDER_FLYING or how the flight ended
    float last_touchdown;               // the previous flight's touchdown speed (-1: none)
    int last_outcome;                   // and how it ended (LANDER_FLYING: no flight yet)
    int steps;
    float episode_return;
    int done;  // episode over with autoreset off: frozen until env_reset
} Env;

static int env_num_agents(const int *params) {
    (void)params;
    return 1;
}

static int env_init(Env *env, const int *params) {
    env->max_steps = params[0];
    return 0;
}

static void env_close(Env *env) {
    (void)env;
}

static float lander_absf(float x) {
    return x < 0.0f ? -x : x;
}

// Terrain height at x (linear between the points; flat outside [0, W]).
static float lander_ground_at(const Env *env, float x) {
    if (x <= 0.0f) return env->ground[0];
    if (x >= LANDER_W) return env->ground[LANDER_SEGMENTS];
    float f = x / LANDER_SEGMENT_W;
    int i = (int)f;
    if (i >= LANDER_SEGMENTS) i = LANDER_SEGMENTS - 1;
    float t = f - (float)i;
    return env->ground[i] + (env->ground[i + 1] - env->ground[i]) * t;
}

// Height of the rocket's base over the highest ground under its legs.
static float lander_clearance(const Env *env) {
    float g = lander_ground_at(env, env->x);
    float left = lander_ground_at(env, env->x - LANDER_LEG);
    float right = lander_ground_at(env, env->x + LANDER_LEG);
    if (left > g) g = left;
    if (right > g) g = right;
    return env->y - g;
}

// A random walk of heights with a flat pad of PAD_SEGMENTS segments.
static void lander_new_terrain(Env *env) {
    float h = 1.0f + 3.0f * rng_float(&env->rng);
    for (int i = 0; i <= LANDER_SEGMENTS; i++) {
        h += 2.4f * (rng_float(&env->rng) - 0.5f);
        env->ground[i] = clampf(h, 0.0f, LANDER_MAX_GROUND);
    }
    int first = 1 + rng_int(&env->rng, LANDER_SEGMENTS - LANDER_PAD_SEGMENTS - 1);
    float pad = env->ground[first + LANDER_PAD_SEGMENTS / 2];
    for (int i = first; i <= first + LANDER_PAD_SEGMENTS; i++) env->ground[i] = pad;
    env->pad_x = ((float)first + 0.5f * (float)LANDER_PAD_SEGMENTS) * LANDER_SEGMENT_W;
    env->pad_y = pad;
}

// Closer to the pad, slower and more upright is higher (LunarLander's shaping).
static float lander_potential(const Env *env) {
    float dx = (env->x - env->pad_x) * (2.0f / LANDER_W);
    float dy = (env->y - env->pad_y) * (1.0f / LANDER_H);
    float vx = env->vx * (1.0f / LANDER_MAX_SPEED);
    float vy = env->vy * (1.0f / LANDER_MAX_SPEED);
    return -100.0f * sqrtf(dx * dx + dy * dy) - 100.0f * sqrtf(vx * vx + vy * vy) -
           100.0f * lander_absf(env->up_x);
}

static void lander_write_obs(Env *env) {
    float *obs = (float *)env->io.observations;
    obs[0] = clampf((env->pad_x - env->x) * (2.0f / LANDER_W), -1.0f, 1.0f);
    obs[1] = clampf((env->y - env->pad_y) * (1.0f / LANDER_H), -1.0f, 1.0f);
    obs[2] = clampf(env->vx * (1.0f / LANDER_MAX_SPEED), -1.0f, 1.0f);
    obs[3] = clampf(env->vy * (1.0f / LANDER_MAX_SPEED), -1.0f, 1.0f);
    obs[4] = clampf(env->up_x, -1.0f, 1.0f);
    obs[5] = clampf(env->up_y, -1.0f, 1.0f);
    obs[6] = clampf(env->spin * (1.0f / LANDER_MAX_SPIN), -1.0f, 1.0f);
    obs[7] = clampf(env->fuel, 0.0f, 1.0f);
    obs[8] = clampf(lander_clearance(env) * (1.0f / LANDER_H), 0.0f, 1.0f);
}

static void lander_new_episode(Env *env) {
    lander_new_terrain(env);
    env->x = 4.0f + (LANDER_W - 8.0f) * rng_float(&env->rng);
    env->y = LANDER_H - 3.0f * rng_float(&env->rng);
    env->vx = 6.0f * (rng_float(&env->rng) - 0.5f);
    env->vy = -2.0f * rng_float(&env->rng);
    float tilt = 0.4f * (rng_float(&env->rng) - 0.5f);
    env->up_x = tilt;
    env->up_y = sqrtf(1.0f - tilt * tilt);
    env->spin = 0.6f * (rng_float(&env->rng) - 0.5f);
    env->fuel = 1.0f;
    env->throttle = 0.0f;
    env->side = 0.0f;
    env->touchdown_speed = -1.0f;
    env->outcome = LANDER_FLYING;
    env->steps = 0;
    env->episode_return = 0.0f;
    env->done = 0;
    env->potential = lander_potential(env);
    lander_write_obs(env);
}

static void env_reset(Env *env, uint64_t seed) {
    rng_seed(&env->rng, seed);
    env->last_touchdown = -1.0f;
    env->last_outcome = LANDER_FLYING;
    env->io.rewards[0] = 0.0f;
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
    lander_new_episode(env);
}

// Applies one step of thrust, gravity and motion; returns the fuel cost in reward.
static float lander_move(Env *env, float throttle, float side) {
    if (env->fuel <= 0.0f) {
        throttle = 0.0f;
        side = 0.0f;
    }
    env->throttle = throttle;
    env->side = side;
    env->fuel -= throttle * LANDER_MAIN_FUEL + lander_absf(side) * LANDER_SIDE_FUEL;
    if (env->fuel < 0.0f) env->fuel = 0.0f;
    float accel = throttle * LANDER_MAIN_ACCEL;
    env->vx += env->up_x * accel * LANDER_DT;
    env->vy += (env->up_y * accel - LANDER_GRAVITY) * LANDER_DT;
    env->spin = (env->spin + side * LANDER_SIDE_ACCEL * LANDER_DT) * LANDER_SPIN_DAMPING;
    env->x += env->vx * LANDER_DT;
    env->y += env->vy * LANDER_DT;
    // Clockwise turn by spin * dt: u += angle * (u_y, -u_x), then back to unit length.
    float angle = env->spin * LANDER_DT;
    float ux = env->up_x + angle * env->up_y;
    float uy = env->up_y - angle * env->up_x;
    float inv = 1.0f / sqrtf(ux * ux + uy * uy);
    env->up_x = ux * inv;
    env->up_y = uy * inv;
    return -0.3f * throttle - 0.03f * lander_absf(side);
}

// How the flight ends this step, or LANDER_FLYING.
static int lander_outcome(Env *env) {
    if (env->x < 0.0f || env->x > LANDER_W || env->y > LANDER_TOP) return LANDER_FLEW_OFF;
    float clearance = lander_clearance(env);
    if (clearance > 0.0f) {
        return env->steps >= env->max_steps ? LANDER_TIMED_OUT : LANDER_FLYING;
    }
    env->y -= clearance;  // resting on the ground
    env->touchdown_speed = sqrtf(env->vx * env->vx + env->vy * env->vy);
    int on_pad = lander_absf(env->x - env->pad_x) <= LANDER_PAD_HALF - LANDER_LEG;
    int soft = env->touchdown_speed <= LANDER_SAFE_SPEED && env->up_y >= LANDER_SAFE_UP;
    return on_pad && soft ? LANDER_LANDED : LANDER_CRASHED;
}

static void lander_end(Env *env, int outcome) {
    float landed = outcome == LANDER_LANDED ? 1.0f : 0.0f;
    env->outcome = outcome;
    env->last_outcome = outcome;
    env->last_touchdown = env->touchdown_speed;
    if (outcome == LANDER_LANDED || outcome == LANDER_CRASHED) {
        env->vx = 0.0f;
        env->vy = 0.0f;
        env->spin = 0.0f;
    }
    if (outcome == LANDER_TIMED_OUT) env->io.truncations[0] = 1;
    else env->io.terminals[0] = 1;
    log_add(&env->io.log[0], env->episode_return, (float)env->steps, env->episode_return,
            landed);
    if (env->io.autoreset) {
        lander_new_episode(env);
        return;
    }
    env->done = 1;
    lander_write_obs(env);
}

static void env_step(Env *env) {
    env->io.rewards[0] = 0.0f;
    if (env->done) return;  // autoreset off: final observation, flags and log stay
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
    const float *action = env->io.continuous_actions;
    float throttle = action_value(action[0], LANDER_ACTION_LOW[0], LANDER_ACTION_HIGH[0]);
    float side = action_value(action[1], LANDER_ACTION_LOW[1], LANDER_ACTION_HIGH[1]);
    float reward = lander_move(env, throttle, side);
    env->steps += 1;
    float potential = lander_potential(env);
    reward += potential - env->potential;
    env->potential = potential;
    int outcome = lander_outcome(env);
    if (outcome == LANDER_LANDED) reward += 100.0f;
    if (outcome == LANDER_CRASHED || outcome == LANDER_FLEW_OFF) reward -= 100.0f;
    env->io.rewards[0] = reward;
    env->episode_return += reward;
    if (outcome != LANDER_FLYING) {
        lander_end(env, outcome);
        return;
    }
    lander_write_obs(env);
}

// Scripted pilot, PD control: pick a sideways speed toward the pad, tilt to reach it,
// turn with the side thrusters to hold that tilt, and burn the main engine to follow a
// descent speed that slows down near the ground. The trained model must beat it.
static void env_baseline_continuous(Env *env, int agent, float *action) {
    (void)agent;
    float dx = env->pad_x - env->x;
    float want_vx = clampf(0.4f * dx, -4.0f, 4.0f);
    float want_tilt = clampf(0.12f * (want_vx - env->vx), -0.35f, 0.35f);
    float side = 6.0f * (want_tilt - env->up_x) - 1.5f * env->spin;
    float height = lander_clearance(env);
    float far = lander_absf(dx) > LANDER_PAD_HALF ? 1.0f : 0.0f;
    float want_vy = -(0.8f + 0.35f * height);
    if (far > 0.0f && height < 6.0f) want_vy = 0.0f;  // hover until over the pad
    float hover = LANDER_GRAVITY / (LANDER_MAIN_ACCEL * (env->up_y > 0.5f ? env->up_y : 0.5f));
    float throttle = hover + 0.5f * (want_vy - env->vy);
    action[0] = clampf(throttle, LANDER_ACTION_LOW[0], LANDER_ACTION_HIGH[0]);
    action[1] = clampf(side, LANDER_ACTION_LOW[1], LANDER_ACTION_HIGH[1]);
}

#endif
