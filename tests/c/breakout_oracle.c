// Breakout tuning check: mean score of the scripted baseline and of a predictive
// player over 100 seeds.
//
// The predictive player simulates the ball's flight (walls and bricks, the same
// physics as the env) to find where and when it reaches the paddle. Once the ball is
// below the wall and falling, it tries the few paddle moves that catch it and keeps the
// one whose bounce breaks the most bricks before the ball comes back down. The
// "landing" player only moves to where the ball will land, without aiming.
//
// Build: gcc -O2 -std=c11 -ffp-contract=off -I envs tests/c/breakout_oracle.c -lm
#include <stdio.h>

#include "breakout/breakout.h"

typedef struct {
    float obs[OBS_SIZE];
    int32_t action;
    float reward;
    uint8_t terminal;
    uint8_t truncation;
    Log log;
} Buffers;

static void attach(Env *env, Buffers *b) {
    env->io.observations = b->obs;
    env->io.actions = &b->action;
    env->io.rewards = &b->reward;
    env->io.terminals = &b->terminal;
    env->io.truncations = &b->truncation;
    env->io.log = &b->log;
    env->io.autoreset = 0;
}

// A copy of env that steps into its own buffers.
static void copy_env(Env *dst, Buffers *b, const Env *src) {
    *dst = *src;
    memcpy(b->obs, src->io.observations, sizeof(b->obs));
    attach(dst, b);
}

static void sim_step(Env *sim, Buffers *b, int action) {
    b->action = action;
    env_step(sim);
}

static int ball_falling_at_paddle(const Env *e) {
    return e->ball_dir > 0.0f && e->ball_y >= PADDLE_Y - BALL_R;
}

// Steps (with the paddle out of the way) until the ball reaches the paddle line.
// Returns the step index during which it gets there, -1 if never; *land_x its x.
static int find_landing(const Env *env, float *land_x) {
    Env sim;
    Buffers b;
    copy_env(&sim, &b, env);
    sim.paddle_x = -1000.0f;
    sim.max_steps = 1 << 30;
    for (int s = 0; s < 400; s++) {
        int balls = sim.balls_left;
        for (int i = 0; i < sim.frameskip; i++) {
            if (breakout_ball_tick(&sim)) return -1;
            if (ball_falling_at_paddle(&sim)) {
                *land_x = sim.ball_x;
                return s;
            }
        }
        if (sim.balls_left != balls) return -1;
    }
    return -1;
}

typedef struct {
    int k;           // paddle moves: k > 0 right, k < 0 left, one per step
    int last;        // action during the landing step
    int land_step;   // index of the landing step
    int step;        // steps of the plan done
} Plan;

static int plan_action(const Plan *p) {
    if (p->step < p->land_step) {
        if (p->step < p->k) return ACTION_RIGHT;
        if (p->step < -p->k) return ACTION_LEFT;
        return ACTION_NOOP;
    }
    if (p->step == p->land_step) return p->last;
    return ACTION_NOOP;
}

// Points the plan earns before the ball falls back to the paddle line; -1 if the
// paddle misses. *next_dist is how far the paddle is from the next landing.
static int evaluate(const Env *env, Plan p, float *next_dist) {
    Env sim;
    Buffers b;
    copy_env(&sim, &b, env);
    sim.max_steps = 1 << 30;
    int balls = sim.balls_left;
    int score = sim.score;
    int bounced = 0;
    *next_dist = 1000.0f;
    for (p.step = 0; p.step < 400; p.step++) {
        sim_step(&sim, &b, plan_action(&p));
        if (sim.balls_left != balls) return -1;
        if (b.terminal) return sim.score - score + 1000;
        if (sim.ball_dir < 0.0f) bounced = 1;
        if (p.step > p.land_step && !bounced) return -1;
        if (bounced && sim.ball_dir > 0.0f && sim.ball_y > BRICK_BOTTOM) {
            float x;
            if (find_landing(&sim, &x) >= 0) *next_dist = fabsf(x - sim.paddle_x);
            return sim.score - score;
        }
    }
    return sim.score - score;
}

typedef struct {
    Plan plan;
    int active;
    int turn;       // varies the choice between equal plans
} Oracle;

static int landing_action(Env *env);

static int oracle_action(Oracle *o, Env *env) {
    int falling_free = env->ball_dir > 0.0f && env->ball_y > BRICK_BOTTOM;
    if (!falling_free) o->active = 0;
    if (falling_free && !o->active) {
        float land_x;
        int land = find_landing(env, &land_x);
        if (land >= 0) {
            float reach = env->paddle_w / 2.0f + BALL_R + PADDLE_SPEED * env->frameskip;
            int best_score = -2;
            float best_dist = 0.0f;
            o->turn += 1;
            for (int k = -land; k <= land; k++) {
                float px = env->paddle_x + PADDLE_SPEED * env->frameskip * (float)k;
                if (fabsf(px - land_x) > reach + 2.0f * PADDLE_W) continue;
                for (int a = 0; a < NUM_ACTIONS; a++) {
                    Plan p = {k, (a + o->turn) % NUM_ACTIONS, land, 0};
                    float dist;
                    int score = evaluate(env, p, &dist);
                    if (score > best_score || (score == best_score && dist < best_dist)) {
                        best_score = score;
                        best_dist = dist;
                        o->plan = p;
                    }
                }
            }
            o->active = best_score >= 0;
        }
    }
    if (o->active) {
        int a = plan_action(&o->plan);
        o->plan.step += 1;
        return a;
    }
    return landing_action(env);
}

// Without aiming: head for where the ball will land.
static int landing_action(Env *env) {
    float target = env->ball_x;
    float land_x;
    if (find_landing(env, &land_x) >= 0) target = land_x;
    float dx = target - env->paddle_x;
    if (dx < -PADDLE_SPEED * env->frameskip / 2.0f) return ACTION_LEFT;
    if (dx > PADDLE_SPEED * env->frameskip / 2.0f) return ACTION_RIGHT;
    return ACTION_NOOP;
}

static const char *NAMES[3] = {"baseline", "landing", "predictive"};

int main(int argc, char **argv) {
    int episodes = argc > 1 ? atoi(argv[1]) : 100;
    int params[2] = {BREAKOUT_PARAMS[0].default_value, BREAKOUT_PARAMS[1].default_value};
    for (int player = 0; player < 3; player++) {
        double total = 0.0, total_len = 0.0;
        int cleared = 0, truncated = 0;
        for (int ep = 0; ep < episodes; ep++) {
            Env env;
            Buffers b;
            Oracle oracle = {0};
            env_init(&env, params);
            attach(&env, &b);
            env_reset(&env, (uint64_t)ep);
            for (;;) {
                if (player == 0) b.action = env_baseline_action(&env, 0);
                if (player == 1) b.action = landing_action(&env);
                if (player == 2) b.action = oracle_action(&oracle, &env);
                env_step(&env);
                if (b.terminal || b.truncation) break;
            }
            total += env.score;
            total_len += env.steps;
            cleared += env.bricks_left == 0;
            truncated += b.truncation;
            env_close(&env);
        }
        printf("%-10s mean score %6.1f (%5.1f%% of 432)  mean length %7.0f  cleared %d/%d  truncated %d\n",
               NAMES[player], total / episodes,
               100.0 * total / episodes / 432.0, total_len / episodes, cleared, episodes, truncated);
        fflush(stdout);
    }
    return 0;
}
