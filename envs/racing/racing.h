// Racing: an Enduro-style endurance race for one agent, written from the Atari game's rules.
//
// Pure game logic (no raylib). The player drives along a three-lane road with curves.
// Traffic drives in the lanes; passing a car is +1, being passed by one is -1. Each "day"
// has a quota of cars to pass (200 on day 1, 300 on every later day, as in the Atari
// game); a day that ends with its quota unmet ends the game. Once the quota is met the
// player drives on to the end of the day, and the next day starts with a new quota.
// A day goes through daylight, snow (the car slides: less grip), dusk, night (only tail
// lights: cars are seen at a shorter range), fog (very short sight), night again and dawn.
// Hitting a car slows the player sharply and shoves the car ahead; driving on the grass
// slows it too. Curves push the car toward their outside, the more the faster it goes.
//
// Units: x is across the road in lane widths (lane centers at -1, 0, +1, road edges at
// +-1.5, grass to +-2); z is along the road (a car is 3.5 long). Speeds are per step, a
// step being 1/30 s of game time. Everything is stored relative to the player (cars'
// dz, the distance left in the current road segment), so no float grows with the
// episode. Only + - * / on floats and the env's own Rng: native and wasm builds agree.
//
// Episode length: the Atari game goes on until a quota is missed. Here an episode is also
// truncated after `max_days` days (default 3) so that training and evaluation episodes
// stay bounded; a day is `day_steps` steps (default 4500 = 2.5 minutes at 30 steps/s;
// the Atari day is about 3.5 minutes).
#ifndef SHIFTPLAY_RACING_H
#define SHIFTPLAY_RACING_H

#include "../env.h"

#define RACING_MAX_CARS 16     // traffic slots
#define RACING_K 9             // car slots in the observation: 3 per lane
#define RACING_CAR_OBS 14      // index of the first car value in the observation
#define RACING_OBS_SIZE (RACING_CAR_OBS + 4 * RACING_K)

static const float RACING_VMAX = 2.5f;        // player's top speed per step
static const float RACING_GAS_RATE = 0.02f;      // speed gained per step on the gas
static const float RACING_COAST = 0.006f;     // speed lost per step with neither pedal
static const float RACING_BRAKE_RATE = 0.06f;      // speed lost per step on the brake
static const float RACING_STEER = 0.09f;      // lateral speed (lanes per step), full grip
static const float RACING_GRIP = 1.0f;        // share of the steering change taken per step
static const float RACING_SNOW_GRIP = 0.1f;   // on snow the car keeps sliding
static const float RACING_CURVE_PUSH = 0.05f; // outward drift per step at top speed, |curve| 1
static const float RACING_ROAD_HALF = 1.5f;   // road edge
static const float RACING_X_MAX = 2.0f;       // grass edge: the car stops there
static const float RACING_GRASS_SPEED = 0.8f; // on the grass the car slows down to this
static const float RACING_GRASS_DRAG = 0.08f;
static const float RACING_CAR_W = 0.7f;       // |dx| below this and |dz| below LEN: collision
static const float RACING_CAR_LEN = 3.5f;
static const float RACING_CRASH_KEEP = 0.3f;  // a collision keeps this share of the speed
static const float RACING_VIEW = 100.0f;      // sight ahead in clear daylight
static const float RACING_VIEW_BEHIND = 20.0f;
static const float RACING_SPAWN_AHEAD = 105.0f;  // new cars appear just past the horizon
static const float RACING_SPAWN_BEHIND = -25.0f;
static const float RACING_GAP_MIN = 10.0f;    // road between two spawned cars, uniform
static const float RACING_GAP_MAX = 34.0f;
static const float RACING_SEG_MIN = 150.0f;   // road segments: length uniform in [MIN, MAX)
static const float RACING_SEG_MAX = 500.0f;
static const float RACING_LANE_SPEED[3] = {1.15f, 1.0f, 0.85f};  // left lane is the fast one
static const float RACING_TRAFFIC_SPEED = 1.0f;  // mean, for the spawn rate
static const float RACING_CURVES[6] = {-1.0f, -0.5f, 0.0f, 0.0f, 0.5f, 1.0f};
static const float RACING_STRIPE = 8.0f;      // length of one road stripe (drawing only)
static const float RACING_SCENERY_W = 640.0f; // drawing only: mountains repeat this often

// Actions: the pedals, the steering, and each pedal with each direction (9, as in Atari).
enum {
    RACING_NOOP, RACING_ACCEL, RACING_BRAKE, RACING_LEFT, RACING_RIGHT,
    RACING_ACCEL_LEFT, RACING_ACCEL_RIGHT, RACING_BRAKE_LEFT, RACING_BRAKE_RIGHT,
    RACING_NUM_ACTIONS
};

// Phases of a day, in order; each starts at RACING_PHASE_START[i] percent of the day.
enum {
    RACING_DAYLIGHT, RACING_SNOW, RACING_DUSK, RACING_NIGHT, RACING_FOG, RACING_NIGHT2,
    RACING_DAWN, RACING_NUM_PHASES
};
static const int RACING_PHASE_START[RACING_NUM_PHASES] = {0, 30, 45, 55, 75, 85, 95};
static const float RACING_PHASE_VIEW[RACING_NUM_PHASES] = {100.0f, 100.0f, 75.0f, 45.0f,
                                                          22.0f, 45.0f, 100.0f};
// The phase's slot in the observation's one-hot (night twice, dawn is daylight).
static const int RACING_PHASE_OBS[RACING_NUM_PHASES] = {0, 1, 2, 3, 4, 3, 0};

static const char *const RACING_ACTION_NAMES[RACING_NUM_ACTIONS] = {
    "NOOP", "ACCEL", "BRAKE", "LEFT", "RIGHT",
    "ACCEL_LEFT", "ACCEL_RIGHT", "BRAKE_LEFT", "BRAKE_RIGHT"};

static const char *const RACING_OBS_LABELS[RACING_OBS_SIZE] = {
    "speed", "lateral_x", "lateral_velocity", "curve_here", "curve_next", "curve_next_in",
    "daylight", "snow", "dusk", "night", "fog", "visibility", "day_time", "cars_left",
    "left_ahead_seen", "left_ahead_dx", "left_ahead_dz", "left_ahead_dv",
    "left_next_seen", "left_next_dx", "left_next_dz", "left_next_dv",
    "left_behind_seen", "left_behind_dx", "left_behind_dz", "left_behind_dv",
    "center_ahead_seen", "center_ahead_dx", "center_ahead_dz", "center_ahead_dv",
    "center_next_seen", "center_next_dx", "center_next_dz", "center_next_dv",
    "center_behind_seen", "center_behind_dx", "center_behind_dz", "center_behind_dv",
    "right_ahead_seen", "right_ahead_dx", "right_ahead_dz", "right_ahead_dv",
    "right_next_seen", "right_next_dx", "right_next_dz", "right_next_dv",
    "right_behind_seen", "right_behind_dx", "right_behind_dz", "right_behind_dv",
};

static const ObsGroup RACING_OBS_GROUPS[] = {
    {"speed", 0, 1, 0.0f, 1.0f},              // speed / top speed
    {"lateral", 1, 2, -1.0f, 1.0f},           // x / 2, lateral speed / steering speed
    {"curves", 3, 2, -1.0f, 1.0f},            // curvature here and of the next segment
    {"curve_next_in", 5, 1, 0.0f, 1.0f},      // road to the next segment / full sight
    {"day_phase", 6, 5, 0.0f, 1.0f},          // one-hot: daylight, snow, dusk, night, fog
    {"visibility", 11, 1, 0.0f, 1.0f},        // sight ahead / full sight
    {"day_time", 12, 1, 0.0f, 1.0f},          // share of the day gone
    {"cars_left", 13, 1, 0.0f, 1.0f},         // quota left / the larger quota
    // The nearest visible cars, 3 per lane (left, center, right): the nearest ahead
    // (alongside counts as ahead), the next one ahead, the nearest behind. Each: seen (1,
    // or 0 and zeros for an empty slot), dx / 4 (lanes), dz / full sight,
    // (car speed - own speed) / top speed.
    {"cars", RACING_CAR_OBS, 4 * RACING_K, -1.0f, 1.0f},
};

static const ControlObs RACING_CONTROL = {"lateral_x", RACING_LEFT, RACING_RIGHT};

static const EnvParam RACING_PARAMS[] = {
    {"day_steps", 4500, 300, 100000, "steps in one day (30 steps per second: 2.5 minutes)"},
    {"quota", 200, 1, 10000, "cars to pass on day 1"},
    {"later_quota", 300, 1, 10000, "cars to pass on each later day"},
    {"max_days", 3, 1, 1000, "days before the episode is truncated"},
};

static const EnvSpec ENV_SPEC = {
    .name = "racing", .title = "Racing", .score_name = "cars passed",
    .description = "Enduro-style endurance race: pass the day's quota of cars through "
                   "snow, night and fog.",
    .controls = "Up accelerate, Down brake, Left/Right steer",
    .max_score = 0.0f,  // unbounded in practice: cars passed over max_days days
    .baseline_min_score = 60.0f,
    .obs_dtype = OBS_FLOAT32, .obs_height = 1, .obs_width = RACING_OBS_SIZE,
    .obs_low = -1.0f, .obs_high = 1.0f, .obs_labels = RACING_OBS_LABELS,
    .obs_groups = RACING_OBS_GROUPS, .num_obs_groups = 9, .control_obs = &RACING_CONTROL,
    .num_actions = RACING_NUM_ACTIONS, .action_names = RACING_ACTION_NAMES,
    .noop_action = RACING_NOOP,
    .num_params = 4, .params = RACING_PARAMS,
};

typedef struct {
    float x;      // lane center
    float dz;     // ahead of the player (> 0) or behind (< 0)
    float speed;  // per step, its lane's speed
    int lane;
    int ahead;    // dz > 0 at the end of the last step: passing it flips this
    int color;    // drawing only
} RacingCar;

typedef struct Racing {
    EnvIO io;
    int day_steps;
    int quota_day1;
    int quota_later;
    int max_days;
    Rng rng;
    float speed;
    float x;
    float lat_v;
    float curve;          // curvature of the segment the player is on
    float seg_left;       // road left in it
    float next_curve;     // curvature of the next segment
    float next_len;       // its length
    float traffic;        // road travelled relative to traffic since the last spawn
    float gap;            // road to travel before the next spawn
    float stripe;         // drawing: road travelled modulo 2 x RACING_STRIPE
    float scenery;        // drawing: how far curves turned the view, modulo SCENERY_W
    int last_lane;        // lane of the last spawned car
    int num_cars;
    RacingCar cars[RACING_MAX_CARS];
    int day;              // 1, 2, ...
    int day_t;            // steps into the day
    int phase;
    float view;           // sight ahead now
    int cars_left;        // of today's quota (0: met)
    int day1_met;
    int score;            // cars passed minus cars that passed us, whole episode
    int steps;
    int crashes;          // collisions this episode (drawing and tests)
    int crash_t;          // steps since the last collision (drawing)
    int step_reward;
    int done;             // episode over, autoreset off: frozen until env_reset
} Racing;

typedef Racing Env;

static int env_num_agents(const int *params) {
    (void)params;
    return 1;
}

static int env_init(Env *env, const int *params) {
    env->day_steps = params[0];
    env->quota_day1 = params[1];
    env->quota_later = params[2];
    env->max_days = params[3];
    return 0;
}

static void env_close(Env *env) {
    (void)env;
}

static float racing_uniform(Env *env, float lo, float hi) {
    return lo + (hi - lo) * rng_float(&env->rng);
}

static float racing_new_curve(Env *env) {
    return RACING_CURVES[rng_int(&env->rng, 6)];
}

static int racing_phase_at(const Env *env, int t) {
    int percent = (int)((int64_t)t * 100 / env->day_steps);
    int phase = 0;
    for (int i = 1; i < RACING_NUM_PHASES; i++) {
        if (percent >= RACING_PHASE_START[i]) phase = i;
    }
    return phase;
}

static int racing_quota(const Env *env) {
    return env->day == 1 ? env->quota_day1 : env->quota_later;
}

// A car is seen when it is within sight ahead, or close behind (its headlights).
static int racing_visible(const Env *env, const RacingCar *car) {
    if (car->dz >= 0.0f) return car->dz <= env->view;
    float behind = env->view < RACING_VIEW_BEHIND ? env->view : RACING_VIEW_BEHIND;
    return car->dz >= -behind;
}

static void racing_write_car(const Env *env, int car_index, float *slot) {
    if (car_index < 0) {
        slot[0] = slot[1] = slot[2] = slot[3] = 0.0f;
        return;
    }
    const RacingCar *car = &env->cars[car_index];
    slot[0] = 1.0f;
    slot[1] = (car->x - env->x) / 4.0f;
    slot[2] = car->dz / RACING_VIEW;
    slot[3] = (car->speed - env->speed) / RACING_VMAX;
}

// A lane's three car slots: the two nearest visible cars ahead (or alongside), the
// nearest visible one behind.
static void racing_write_lane(const Env *env, int lane, float *obs) {
    int first = -1, second = -1, behind = -1;
    for (int i = 0; i < env->num_cars; i++) {
        const RacingCar *car = &env->cars[i];
        if (car->lane != lane || !racing_visible(env, car)) continue;
        if (car->dz <= -RACING_CAR_LEN) {
            if (behind < 0 || car->dz > env->cars[behind].dz) behind = i;
        } else if (first < 0 || car->dz < env->cars[first].dz) {
            second = first;
            first = i;
        } else if (second < 0 || car->dz < env->cars[second].dz) {
            second = i;
        }
    }
    float *slots = obs + RACING_CAR_OBS + 12 * lane;
    racing_write_car(env, first, slots);
    racing_write_car(env, second, slots + 4);
    racing_write_car(env, behind, slots + 8);
}

static void racing_write_obs(Env *env) {
    float *obs = (float *)env->io.observations;
    int big_quota = env->quota_day1 > env->quota_later ? env->quota_day1 : env->quota_later;
    obs[0] = env->speed / RACING_VMAX;
    obs[1] = env->x / RACING_X_MAX;
    obs[2] = clampf(env->lat_v / RACING_STEER, -1.0f, 1.0f);
    obs[3] = env->curve;
    obs[4] = env->next_curve;
    obs[5] = clampf(env->seg_left / RACING_VIEW, 0.0f, 1.0f);
    for (int i = 0; i < 5; i++) obs[6 + i] = 0.0f;
    obs[6 + RACING_PHASE_OBS[env->phase]] = 1.0f;
    obs[11] = env->view / RACING_VIEW;
    obs[12] = (float)env->day_t / (float)env->day_steps;
    obs[13] = (float)env->cars_left / (float)big_quota;
    for (int lane = 0; lane < 3; lane++) racing_write_lane(env, lane, obs);
}

// The day's phase and sight at day_t.
static void racing_set_phase(Env *env) {
    env->phase = racing_phase_at(env, env->day_t);
    env->view = RACING_PHASE_VIEW[env->phase];
}

static void racing_new_day(Env *env) {
    env->day_t = 0;
    racing_set_phase(env);
    env->cars_left = racing_quota(env);
}

static void racing_new_episode(Env *env) {
    env->speed = 0.0f;
    env->x = 0.0f;
    env->lat_v = 0.0f;
    env->curve = 0.0f;
    env->seg_left = racing_uniform(env, RACING_SEG_MIN, RACING_SEG_MAX);
    env->next_curve = racing_new_curve(env);
    env->next_len = racing_uniform(env, RACING_SEG_MIN, RACING_SEG_MAX);
    env->traffic = 0.0f;
    env->gap = racing_uniform(env, RACING_GAP_MIN, RACING_GAP_MAX);
    env->stripe = 0.0f;
    env->scenery = 0.0f;
    env->last_lane = rng_int(&env->rng, 3);
    env->num_cars = 0;
    env->day = 1;
    env->day1_met = 0;
    env->score = 0;
    env->steps = 0;
    env->crashes = 0;
    env->crash_t = 1000;
    env->done = 0;
    racing_new_day(env);
    racing_write_obs(env);
}

static void env_reset(Env *env, uint64_t seed) {
    rng_seed(&env->rng, seed);
    racing_new_episode(env);
    env->io.rewards[0] = 0.0f;
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
}

// Is there room for a new car in `lane` at dz? (no car of that lane near it)
static int racing_lane_free(const Env *env, int lane, float dz) {
    for (int i = 0; i < env->num_cars; i++) {
        const RacingCar *car = &env->cars[i];
        float d = car->dz - dz;
        if (car->lane == lane && d < 3.0f * RACING_CAR_LEN && d > -3.0f * RACING_CAR_LEN) {
            return 0;
        }
    }
    return 1;
}

// A new car at dz, in a lane other than the last spawned car's (so three cars never
// block the road side by side), if a slot and a free lane exist.
static void racing_spawn(Env *env, float dz) {
    if (env->num_cars >= RACING_MAX_CARS) return;
    int lane = (env->last_lane + 1 + rng_int(&env->rng, 2)) % 3;
    if (!racing_lane_free(env, lane, dz)) {
        lane = 3 - lane - env->last_lane;  // the third lane
        if (!racing_lane_free(env, lane, dz)) return;
    }
    RacingCar *car = &env->cars[env->num_cars++];
    car->lane = lane;
    car->x = (float)(lane - 1);
    car->dz = dz;
    car->speed = RACING_LANE_SPEED[lane];
    car->ahead = dz > 0.0f;
    car->color = rng_int(&env->rng, 6);
    env->last_lane = lane;
}

// Traffic is a stream with random gaps in the frame of the mean traffic speed: driving
// faster than it brings cars over the horizon, slower brings them from behind.
static void racing_traffic(Env *env) {
    env->traffic += env->speed - RACING_TRAFFIC_SPEED;
    if (env->traffic >= env->gap) {
        env->traffic -= env->gap;
        env->gap = racing_uniform(env, RACING_GAP_MIN, RACING_GAP_MAX);
        racing_spawn(env, RACING_SPAWN_AHEAD);
    } else if (env->traffic <= -env->gap) {
        env->traffic += env->gap;
        env->gap = racing_uniform(env, RACING_GAP_MIN, RACING_GAP_MAX);
        racing_spawn(env, RACING_SPAWN_BEHIND);
    }
}

static void racing_pedals(Env *env, int action) {
    int gas = action == RACING_ACCEL || action == RACING_ACCEL_LEFT ||
              action == RACING_ACCEL_RIGHT;
    int brake = action == RACING_BRAKE || action == RACING_BRAKE_LEFT ||
                action == RACING_BRAKE_RIGHT;
    if (gas) {
        env->speed += RACING_GAS_RATE;
    } else if (brake) {
        env->speed -= RACING_BRAKE_RATE;
    } else {
        env->speed -= RACING_COAST;
    }
    env->speed = clampf(env->speed, 0.0f, RACING_VMAX);
}

static void racing_steer(Env *env, int action) {
    float target = 0.0f;
    if (action == RACING_LEFT || action == RACING_ACCEL_LEFT || action == RACING_BRAKE_LEFT) {
        target = -RACING_STEER;
    }
    if (action == RACING_RIGHT || action == RACING_ACCEL_RIGHT || action == RACING_BRAKE_RIGHT) {
        target = RACING_STEER;
    }
    float grip = env->phase == RACING_SNOW ? RACING_SNOW_GRIP : RACING_GRIP;
    env->lat_v += (target - env->lat_v) * grip;
    float v = env->speed / RACING_VMAX;
    env->x += env->lat_v - env->curve * RACING_CURVE_PUSH * v * v;
    if (env->x < -RACING_X_MAX || env->x > RACING_X_MAX) {
        env->x = clampf(env->x, -RACING_X_MAX, RACING_X_MAX);
        env->lat_v = 0.0f;
    }
    int on_grass = env->x < -RACING_ROAD_HALF || env->x > RACING_ROAD_HALF;
    if (on_grass && env->speed > RACING_GRASS_SPEED) {
        env->speed -= RACING_GRASS_DRAG;
        if (env->speed < RACING_GRASS_SPEED) env->speed = RACING_GRASS_SPEED;
    }
}

static void racing_road(Env *env) {
    env->seg_left -= env->speed;
    if (env->seg_left <= 0.0f) {
        env->curve = env->next_curve;
        env->seg_left += env->next_len;
        env->next_curve = racing_new_curve(env);
        env->next_len = racing_uniform(env, RACING_SEG_MIN, RACING_SEG_MAX);
    }
    env->stripe += env->speed;
    if (env->stripe >= 2.0f * RACING_STRIPE) env->stripe -= 2.0f * RACING_STRIPE;
    env->scenery += env->curve * env->speed;
    if (env->scenery >= RACING_SCENERY_W) env->scenery -= RACING_SCENERY_W;
    if (env->scenery < 0.0f) env->scenery += RACING_SCENERY_W;
}

// Moves the cars, resolves collisions, counts passes (the step's reward) and drops the
// cars that are out of range.
static void racing_cars(Env *env) {
    int kept = 0;
    for (int i = 0; i < env->num_cars; i++) {
        RacingCar *car = &env->cars[i];
        car->dz += car->speed - env->speed;
        float dx = car->x - env->x;
        int touch = dx < RACING_CAR_W && dx > -RACING_CAR_W &&
                    car->dz < RACING_CAR_LEN && car->dz > -RACING_CAR_LEN;
        if (touch) {
            env->speed *= RACING_CRASH_KEEP;
            car->dz = RACING_CAR_LEN + 0.01f;  // shoved ahead of the player
            env->crashes += 1;
            env->crash_t = 0;
        }
        int ahead = car->dz > 0.0f;
        if (car->ahead && !ahead) env->step_reward += 1;
        if (!car->ahead && ahead) env->step_reward -= 1;
        car->ahead = ahead;
        if (car->dz > RACING_SPAWN_AHEAD + 5.0f || car->dz < RACING_SPAWN_BEHIND - 5.0f) {
            continue;  // out of range: dropped
        }
        env->cars[kept++] = *car;
    }
    env->num_cars = kept;
}

// Counts the step's passes against the quota. Returns 1 when the game is over.
static int racing_clock(Env *env) {
    env->score += env->step_reward;
    if (env->cars_left > 0) {
        env->cars_left -= env->step_reward;
        if (env->cars_left > racing_quota(env)) env->cars_left = racing_quota(env);
        if (env->cars_left <= 0) {
            env->cars_left = 0;  // met: it stays met for the rest of the day
            if (env->day == 1) env->day1_met = 1;
        }
    }
    env->day_t += 1;
    if (env->day_t >= env->day_steps) {
        if (env->cars_left > 0) return 1;
        env->day += 1;
        racing_new_day(env);
        return 0;
    }
    racing_set_phase(env);
    return 0;
}

static void env_step(Env *env) {
    if (env->done) {  // autoreset off: keep the final state, flags and log until reset
        env->io.rewards[0] = 0.0f;
        return;
    }
    int action = env->io.actions[0];
    if (action < 0 || action >= RACING_NUM_ACTIONS) action = RACING_NOOP;
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
    env->step_reward = 0;
    racing_pedals(env, action);
    racing_steer(env, action);
    racing_road(env);
    racing_traffic(env);
    racing_cars(env);
    env->crash_t += env->crash_t < 1000;
    env->steps += 1;
    int terminal = racing_clock(env);
    env->io.rewards[0] = (float)env->step_reward;
    int truncated = !terminal && env->day > env->max_days;
    if (terminal || truncated) {
        env->io.terminals[0] = (uint8_t)terminal;
        env->io.truncations[0] = (uint8_t)truncated;
        float score = (float)env->score;
        log_add(&env->io.log[0], score, (float)env->steps, score, (float)env->day1_met);
        if (env->io.autoreset) {
            racing_new_episode(env);
            return;
        }
        env->done = 1;
        if (truncated) env->day = env->max_days;  // the last day, its quota met
    }
    racing_write_obs(env);
}

// Road ahead in `lane` that is clear of visible cars (RACING_VIEW when clear). Cars
// alongside count as distance 0.
static float racing_lane_clear(const Env *env, int lane) {
    float lane_x = (float)(lane - 1);
    float clear = RACING_VIEW;
    for (int i = 0; i < env->num_cars; i++) {
        const RacingCar *car = &env->cars[i];
        float dx = car->x - lane_x;
        if (dx >= 0.8f || dx <= -0.8f || !racing_visible(env, car)) continue;
        if (car->dz < -RACING_CAR_LEN) continue;
        float d = car->dz < 0.0f ? 0.0f : car->dz;
        if (d < clear) clear = d;
    }
    return clear;
}

// Scripted driver: always on the gas; when a visible car is less than 30 ahead in its
// lane, move to the adjacent lane with the most clear road, if it is clearer.
static int env_baseline_action(Env *env, int agent) {
    (void)agent;
    int lane = env->x < -0.5f ? 0 : (env->x > 0.5f ? 2 : 1);
    int target = lane;
    float here = racing_lane_clear(env, lane);
    if (here < 30.0f) {
        float best = here;
        for (int side = -1; side <= 1; side += 2) {
            int other = lane + side;
            if (other < 0 || other > 2) continue;
            float clear = racing_lane_clear(env, other);
            if (clear > best) {
                best = clear;
                target = other;
            }
        }
    }
    float dx = (float)(target - 1) - env->x;
    if (dx < -0.15f) return RACING_ACCEL_LEFT;
    if (dx > 0.15f) return RACING_ACCEL_RIGHT;
    return RACING_ACCEL;
}

#endif
