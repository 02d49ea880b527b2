// Pong: the agent (right paddle) plays a scripted opponent (left paddle) that follows
// the ball at limited speed (`opponent_speed`). First to `points_to_win` ends the game.
// With versus=1 the left paddle is a second agent (agent 1: a human, or a policy) moving
// at the agent's speed; its observation is mirrored so that it reads like the right
// side's (its own paddle is "paddle_y", the ball comes toward it with ball_vx > 0).
// Contract: envs/env.h.
#ifndef SHIFTPLAY_PONG_H
#define SHIFTPLAY_PONG_H

#include "../env.h"

#define PONG_W 100.0f            // court width (x grows to the right)
#define PONG_H 75.0f             // court height (y grows downward)
#define PONG_PADDLE_HALF 6.0f    // half paddle height
#define PONG_FACE 4.0f           // distance from each side line to a paddle's face
#define PONG_BALL_R 1.0f
#define PONG_PADDLE_SPEED 3.5f   // agent paddle (and a versus player's), per step
#define PONG_SERVE_SPEED 2.5f    // horizontal ball speed at serve, per step
#define PONG_MAX_SPEED 5.0f      // horizontal speed cap
#define PONG_SPEEDUP 1.08f       // per paddle hit
#define PONG_MAX_ANGLE 0.9f      // |vy| <= PONG_MAX_ANGLE * |vx| after a hit

enum { PONG_STAY = 0, PONG_UP = 1, PONG_DOWN = 2 };
enum { PONG_OBS_SIZE = 8 };

typedef struct {
    EnvIO io;
    int points_to_win;
    float inv_points;    // 1 / points_to_win
    int max_steps;
    Rng rng;
    float ball_x, ball_y, ball_vx, ball_vy;
    float paddle_y;      // agent paddle center
    float opp_y;         // opponent paddle center
    float opp_speed;     // scripted opponent's paddle speed per step
    int versus;          // 1: agent 1 moves the left paddle
    float episode_return_left;
    int score_agent, score_opp;
    int steps;
    float episode_return;
    int rally_hits;
    int done;            // game over, autoreset off: frozen until env_reset
} Pong;

typedef Pong Env;

static const char *const PONG_ACTIONS[] = {"STAY", "UP", "DOWN"};
static const char *const PONG_LABELS[PONG_OBS_SIZE] = {
    "ball_x", "ball_y", "ball_vx", "ball_vy", "paddle_y", "opponent_y",
    "points", "opponent_points"};
static const EnvParam PONG_PARAMS[] = {
    {"points_to_win", 21, 1, 99, "points that end the game"},
    {"max_steps", 27000, 100, 1000000, "steps before the game is truncated"},
    {"opponent_speed", 50, 10, 200, "scripted opponent's paddle speed, percent of the agent's"},
    {"versus", 0, 0, 1, "1: the left paddle is agent 1 (a second player), not the script"},
};
static const char *const PONG_SIDES[2] = {"right paddle", "left paddle"};

static const ObsGroup PONG_OBS_GROUPS[] = {
    {"ball_position", 0, 2, -1.0f, 1.0f},  // around the court's center
    {"ball_velocity", 2, 2, -1.0f, 1.0f},  // fractions of the top speed
    {"paddles", 4, 2, -1.0f, 1.0f},        // agent's and opponent's centers
    {"points", 6, 2, 0.0f, 1.0f},          // fractions of points_to_win
};

static const ControlObs PONG_CONTROL = {"paddle_y", PONG_UP, PONG_DOWN};

static const EnvSpec ENV_SPEC = {
    .name = "pong", .title = "Pong", .score_name = "point margin",
    .description = "Classic Pong against a scripted opponent; first to 21 wins.",
    .controls = "Up/Down or W/S move the right paddle.",
    .max_score = 21.0f, .baseline_min_score = 10.0f,
    .obs_dtype = OBS_FLOAT32, .obs_height = 1, .obs_width = PONG_OBS_SIZE,
    .obs_low = -1.0f, .obs_high = 1.0f, .obs_labels = PONG_LABELS,
    .obs_groups = PONG_OBS_GROUPS, .num_obs_groups = 4, .control_obs = &PONG_CONTROL,
    .num_actions = 3, .action_names = PONG_ACTIONS, .noop_action = PONG_STAY,
    .num_params = 4, .params = PONG_PARAMS,
    // versus: left paddle (agent 0) against right paddle (agent 1) when versus = 1
    .versus_sides = 2, .versus_param = "versus", .side_names = PONG_SIDES,
};

static int env_num_agents(const int *params) {
    return params[3] ? 2 : 1;
}

static int env_init(Env *env, const int *params) {
    env->points_to_win = params[0];
    env->inv_points = 1.0f / (float)params[0];
    env->max_steps = params[1];
    env->opp_speed = PONG_PADDLE_SPEED * (float)params[2] / 100.0f;  // 50% -> 1.75
    env->versus = params[3];
    return 0;
}

static void env_close(Env *env) {
    (void)env;
}

// Ball from the center toward `direction` (+1 agent, -1 opponent), random height/angle.
static void pong_serve(Pong *p, float direction) {
    p->ball_x = PONG_W * 0.5f;
    p->ball_y = PONG_H * (0.25f + 0.5f * rng_float(&p->rng));
    p->ball_vx = direction * PONG_SERVE_SPEED;
    p->ball_vy = PONG_SERVE_SPEED * (rng_float(&p->rng) - 0.5f);
    p->rally_hits = 0;
}

// Positions map to [-1, 1] around the court's center; speeds to [-1, 1] of the cap.
static void pong_write_obs(Pong *p) {
    float *obs = (float *)p->io.observations;
    const float to_x = 2.0f / PONG_W;
    const float to_y = 2.0f / PONG_H;
    const float to_v = 1.0f / PONG_MAX_SPEED;
    obs[0] = clampf(p->ball_x * to_x - 1.0f, -1.0f, 1.0f);
    obs[1] = clampf(p->ball_y * to_y - 1.0f, -1.0f, 1.0f);
    obs[2] = p->ball_vx * to_v;
    obs[3] = p->ball_vy * to_v;
    obs[4] = p->paddle_y * to_y - 1.0f;
    obs[5] = p->opp_y * to_y - 1.0f;
    obs[6] = (float)p->score_agent * p->inv_points;
    obs[7] = (float)p->score_opp * p->inv_points;
    if (!p->versus) return;
    // Agent 1 (left paddle) sees the court mirrored left-right: the same layout as above.
    float *left = obs + PONG_OBS_SIZE;
    left[0] = -obs[0];
    left[1] = obs[1];
    left[2] = -obs[2];
    left[3] = obs[3];
    left[4] = obs[5];
    left[5] = obs[4];
    left[6] = obs[7];
    left[7] = obs[6];
}

static void pong_new_game(Pong *p) {
    p->paddle_y = PONG_H * 0.5f;
    p->opp_y = PONG_H * 0.5f;
    p->score_agent = 0;
    p->score_opp = 0;
    p->steps = 0;
    p->episode_return = 0.0f;
    p->done = 0;
    p->episode_return_left = 0.0f;
    pong_serve(p, rng_float(&p->rng) < 0.5f ? -1.0f : 1.0f);
}

static void env_reset(Env *env, uint64_t seed) {
    rng_seed(&env->rng, seed);
    pong_new_game(env);
    for (int a = 0; a <= env->versus; a++) {
        env->io.rewards[a] = 0.0f;
        env->io.terminals[a] = 0;
        env->io.truncations[a] = 0;
    }
    pong_write_obs(env);
}

static float move_toward(float y, float target, float speed) {
    if (target > y + speed) return y + speed;
    if (target < y - speed) return y - speed;
    return target;
}

static float clamp_paddle(float y) {
    return clampf(y, PONG_PADDLE_HALF, PONG_H - PONG_PADDLE_HALF);
}

// Follows the ball while it comes toward the opponent, drifts to the middle otherwise.
static void pong_move_opponent(Pong *p) {
    float target = PONG_H * 0.5f;
    if (p->ball_vx < 0.0f) target = p->ball_y;
    p->opp_y = clamp_paddle(move_toward(p->opp_y, target, p->opp_speed));
}

// Reflect off a paddle face: the hit offset sets the angle, each hit speeds the ball up.
static void pong_bounce(Pong *p, float face_x, float paddle_y, float direction) {
    float offset = (p->ball_y - paddle_y) / (PONG_PADDLE_HALF + PONG_BALL_R);
    float speed = p->ball_vx < 0.0f ? -p->ball_vx : p->ball_vx;
    speed = speed * PONG_SPEEDUP;
    if (speed > PONG_MAX_SPEED) speed = PONG_MAX_SPEED;
    p->ball_x = face_x + direction * (face_x - p->ball_x);
    p->ball_vx = direction * speed;
    p->ball_vy = offset * PONG_MAX_ANGLE * speed;
    p->rally_hits += 1;
}

// Moves the ball one step. Returns +1 if the agent won the point, -1 if it lost, else 0.
static int pong_move_ball(Pong *p) {
    float prev_x = p->ball_x;
    p->ball_x += p->ball_vx;
    p->ball_y += p->ball_vy;
    if (p->ball_y < PONG_BALL_R) {
        p->ball_y = 2.0f * PONG_BALL_R - p->ball_y;
        p->ball_vy = -p->ball_vy;
    }
    if (p->ball_y > PONG_H - PONG_BALL_R) {
        p->ball_y = 2.0f * (PONG_H - PONG_BALL_R) - p->ball_y;
        p->ball_vy = -p->ball_vy;
    }
    float reach = PONG_PADDLE_HALF + PONG_BALL_R;
    float agent_face = PONG_W - PONG_FACE;
    float opp_face = PONG_FACE;
    if (p->ball_vx > 0.0f && prev_x <= agent_face && p->ball_x > agent_face) {
        float dy = p->ball_y - p->paddle_y;
        if (dy >= -reach && dy <= reach) pong_bounce(p, agent_face, p->paddle_y, -1.0f);
    } else if (p->ball_vx < 0.0f && prev_x >= opp_face && p->ball_x < opp_face) {
        float dy = p->ball_y - p->opp_y;
        if (dy >= -reach && dy <= reach) pong_bounce(p, opp_face, p->opp_y, 1.0f);
    }
    if (p->ball_x > PONG_W) return -1;
    if (p->ball_x < 0.0f) return 1;
    return 0;
}

static void pong_end_game(Pong *p, int truncated) {
    float margin = (float)(p->score_agent - p->score_opp);
    float win = p->score_agent >= p->points_to_win ? 1.0f : 0.0f;
    log_add(&p->io.log[0], p->episode_return, (float)p->steps, margin, win);
    if (truncated) p->io.truncations[0] = 1;
    else p->io.terminals[0] = 1;
    if (p->versus) {
        float left_win = p->score_opp >= p->points_to_win ? 1.0f : 0.0f;
        log_add(&p->io.log[1], p->episode_return_left, (float)p->steps, -margin, left_win);
        p->io.truncations[1] = p->io.truncations[0];
        p->io.terminals[1] = p->io.terminals[0];
    }
    if (p->io.autoreset) pong_new_game(p);
    else p->done = 1;
}

static void env_step(Env *env) {
    Pong *p = env;
    for (int a = 0; a <= p->versus; a++) p->io.rewards[a] = 0.0f;
    if (p->done) return;  // autoreset off: keep the final state, flags and log until reset
    for (int a = 0; a <= p->versus; a++) {
        p->io.terminals[a] = 0;
        p->io.truncations[a] = 0;
    }
    // -1 for UP, +1 for DOWN, 0 for STAY and anything out of range (no branch to
    // mispredict on random actions).
    int action = p->io.actions[0];
    float direction = (float)((action == PONG_DOWN) - (action == PONG_UP));
    p->paddle_y = clamp_paddle(p->paddle_y + direction * PONG_PADDLE_SPEED);
    if (p->versus) {
        int left = p->io.actions[1];
        float left_dir = (float)((left == PONG_DOWN) - (left == PONG_UP));
        p->opp_y = clamp_paddle(p->opp_y + left_dir * PONG_PADDLE_SPEED);
    } else {
        pong_move_opponent(p);
    }
    int point = pong_move_ball(p);
    p->steps += 1;
    if (point != 0) {
        p->io.rewards[0] = (float)point;
        p->episode_return += (float)point;
        if (p->versus) {
            p->io.rewards[1] = (float)-point;
            p->episode_return_left -= (float)point;
        }
        if (point > 0) p->score_agent += 1;
        else p->score_opp += 1;
        pong_serve(p, point > 0 ? -1.0f : 1.0f);
    }
    if (p->score_agent >= p->points_to_win || p->score_opp >= p->points_to_win) {
        pong_end_game(p, 0);
    } else if (p->steps >= p->max_steps) {
        pong_end_game(p, 1);
    }
    pong_write_obs(p);
}

// Scripted player: keep the paddle center on the ball while it comes in, else the middle.
static int env_baseline_action(Env *env, int agent) {
    float target = PONG_H * 0.5f;
    float paddle = agent == 1 ? env->opp_y : env->paddle_y;
    float toward = agent == 1 ? -env->ball_vx : env->ball_vx;
    if (toward > 0.0f) target = env->ball_y;
    float dy = target - paddle;
    if (dy < -1.5f) return PONG_UP;
    if (dy > 1.5f) return PONG_DOWN;
    return PONG_STAY;
}

#endif
