// Racing drawing and human controls (raylib 3.5 2D API). The glue calls env_render
// between BeginDrawing and EndDrawing, and env_human_action once per step.
//
// The road is drawn in perspective as quads: the view is split into bands a stripe long,
// far to near, and each band is a grass, rumble strip, road and lane-marking trapezoid.
// A point `w` ahead of the player is at depth d = w + RACING_CAM_BACK from the camera,
// screen y = horizon + RACING_Y_SCALE / d, and the road's center there is shifted by the
// curves ahead (a bend's offset grows with the square of the distance into it). Colours
// follow the time of day; at night only the tail lights of cars are drawn, and fog hides
// what the driver cannot see: the screen shows exactly the cars the observation holds.
#ifndef SHIFTPLAY_RACING_RENDER_H
#define SHIFTPLAY_RACING_RENDER_H

#include "raylib.h"
#include "racing.h"

static const int RENDER_WIDTH = 640;
static const int RENDER_HEIGHT = 520;
static const int RENDER_STEPS_PER_SECOND = 30;

static const float RACING_HORIZON = 170.0f;   // screen y of the horizon
static const float RACING_ROAD_BOTTOM = 440.0f;  // the dashboard is below
static const float RACING_CAM_BACK = 6.0f;    // camera behind the player's car
static const float RACING_Y_SCALE = 1440.0f;  // (y - horizon) x depth
static const float RACING_X_SCALE = 1000.0f;  // pixels x depth per lane width
static const float RACING_BEND = 0.006f;      // lanes of offset per (distance into a bend)^2

typedef struct {
    Color sky_top, sky_low, hills, grass_a, grass_b, road_a, road_b, rumble_a, rumble_b,
        lines;
} RacingPalette;

// Both night phases share one palette.
#define RACING_NIGHT_PALETTE                                                             \
    {{4, 6, 20, 255}, {14, 18, 44, 255}, {10, 12, 30, 255}, {6, 14, 10, 255},            \
     {4, 10, 8, 255}, {20, 20, 26, 255}, {18, 18, 24, 255}, {70, 70, 80, 255},           \
     {40, 40, 50, 255}, {60, 60, 70, 255}}

// One palette per phase (RACING_DAYLIGHT ... RACING_DAWN).
static const RacingPalette RACING_PALETTES[RACING_NUM_PHASES] = {
    {{52, 112, 208, 255}, {146, 196, 246, 255}, {70, 96, 150, 255}, {46, 142, 58, 255},
     {38, 126, 50, 255}, {112, 112, 118, 255}, {104, 104, 110, 255}, {226, 226, 226, 255},
     {200, 48, 48, 255}, {236, 236, 236, 255}},
    {{140, 154, 178, 255}, {206, 214, 228, 255}, {170, 180, 200, 255}, {236, 240, 246, 255},
     {218, 224, 236, 255}, {150, 152, 162, 255}, {142, 144, 154, 255}, {250, 250, 250, 255},
     {120, 140, 200, 255}, {250, 250, 250, 255}},
    {{70, 40, 96, 255}, {246, 150, 84, 255}, {86, 46, 78, 255}, {60, 86, 40, 255},
     {52, 76, 34, 255}, {88, 78, 86, 255}, {80, 72, 80, 255}, {200, 180, 160, 255},
     {170, 60, 50, 255}, {210, 200, 190, 255}},
    RACING_NIGHT_PALETTE,
    {{120, 124, 128, 255}, {150, 154, 156, 255}, {140, 144, 146, 255}, {92, 104, 94, 255},
     {86, 98, 88, 255}, {104, 106, 110, 255}, {98, 100, 104, 255}, {180, 180, 180, 255},
     {150, 110, 110, 255}, {190, 190, 190, 255}},
    RACING_NIGHT_PALETTE,
    {{96, 110, 186, 255}, {250, 176, 140, 255}, {96, 84, 130, 255}, {44, 120, 56, 255},
     {38, 108, 50, 255}, {104, 100, 108, 255}, {96, 92, 100, 255}, {220, 220, 220, 255},
     {190, 60, 60, 255}, {230, 230, 230, 255}},
};

static const Color RACING_CAR_COLORS[6] = {
    {230, 70, 60, 255}, {250, 200, 50, 255}, {70, 170, 240, 255},
    {120, 210, 90, 255}, {230, 120, 220, 255}, {250, 150, 60, 255}};
static const Color RACING_PLAYER = {245, 245, 250, 255};
static const Color RACING_PLAYER_TRIM = {84, 214, 255, 255};
static const Color RACING_TAIL = {255, 40, 40, 255};
static const Color RACING_DASH_BG = {18, 20, 30, 255};
static const Color RACING_DASH_TEXT = {200, 206, 224, 255};
static const Color RACING_DASH_DIM = {110, 118, 146, 255};
static const Color RACING_FLAG = {84, 214, 120, 255};

static const char *const RACING_PHASE_NAMES[RACING_NUM_PHASES] = {
    "DAYLIGHT", "SNOW", "DUSK", "NIGHT", "FOG", "NIGHT", "DAWN"};

static unsigned char racing_mix8(unsigned char a, unsigned char b, float t) {
    return (unsigned char)((float)a + ((float)b - (float)a) * t);
}

static Color racing_mix(Color a, Color b, float t) {
    Color c = {racing_mix8(a.r, b.r, t), racing_mix8(a.g, b.g, t), racing_mix8(a.b, b.b, t),
               255};
    return c;
}

// The palette now: each phase fades in from the previous one over its first 20%.
static RacingPalette racing_palette(const Env *env) {
    int phase = env->phase;
    RacingPalette now = RACING_PALETTES[phase];
    int start = RACING_PHASE_START[phase] * env->day_steps / 100;
    int end = phase + 1 < RACING_NUM_PHASES ? RACING_PHASE_START[phase + 1] : 100;
    int fade = (end * env->day_steps / 100 - start) / 5;
    int into = env->day_t - start;
    if (fade <= 0 || into >= fade) return now;
    int prev_phase = phase > 0 ? phase - 1 : RACING_NUM_PHASES - 1;
    RacingPalette prev = RACING_PALETTES[prev_phase];
    float t = (float)into / (float)fade;
    Color *out = &now.sky_top;
    const Color *from = &prev.sky_top;
    const Color *to = &RACING_PALETTES[phase].sky_top;
    for (int i = 0; i < 10; i++) out[i] = racing_mix(from[i], to[i], t);
    return now;
}

// Road center at w ahead of the player, in lanes: the current bend, then the next one.
static float racing_bend_offset(const Env *env, float w) {
    if (w <= 0.0f) return 0.0f;
    float s = env->seg_left;
    if (w <= s) return 0.5f * RACING_BEND * env->curve * w * w;
    float rest = w - s;
    return 0.5f * RACING_BEND * env->curve * s * s + RACING_BEND * env->curve * s * rest +
           0.5f * RACING_BEND * env->next_curve * rest * rest;
}

static float racing_screen_y(float w) {
    return RACING_HORIZON + RACING_Y_SCALE / (w + RACING_CAM_BACK);
}

// Screen x of lateral position x (lanes) at w ahead.
static float racing_screen_x(const Env *env, float w, float x) {
    float d = w + RACING_CAM_BACK;
    return (float)RENDER_WIDTH / 2.0f + RACING_X_SCALE * (racing_bend_offset(env, w) + x) / d;
}

// A trapezoid between a far edge (y0, x0l..x0r) and a near one (y1, x1l..x1r).
static void racing_quad(float y0, float x0l, float x0r, float y1, float x1l, float x1r,
                        Color color) {
    Vector2 a = {x0l, y0}, b = {x1l, y1}, c = {x1r, y1}, d = {x0r, y0};
    DrawTriangle(a, b, c, color);
    DrawTriangle(a, c, d, color);
}

// The strip between lateral positions xa < xb, from w0 (far) to w1 (near).
static void racing_strip(const Env *env, float w0, float w1, float xa, float xb, Color color) {
    racing_quad(racing_screen_y(w0), racing_screen_x(env, w0, xa), racing_screen_x(env, w0, xb),
                racing_screen_y(w1), racing_screen_x(env, w1, xa), racing_screen_x(env, w1, xb),
                color);
}

static void racing_draw_sky(const Env *env, const RacingPalette *pal) {
    DrawRectangleGradientV(0, 0, RENDER_WIDTH, (int)RACING_HORIZON, pal->sky_top, pal->sky_low);
    if (env->phase == RACING_NIGHT || env->phase == RACING_NIGHT2) {
        for (int i = 0; i < 40; i++) {  // fixed stars, drifting with the bends
            int x = (i * 97 + (int)env->scenery / 4) % RENDER_WIDTH;
            int y = (i * 53) % (int)(RACING_HORIZON - 30.0f);
            DrawRectangle(x, y, 2, 2, (Color){200, 200, 230, 200});
        }
    }
    if (env->phase == RACING_FOG) return;  // no hills in the fog
    // Hills: a row of triangles that slides sideways as the road bends (scenery is in
    // [0, RACING_SCENERY_W), so each hill is drawn twice to wrap around).
    for (int i = 0; i < 8; i++) {
        float cx = (float)i * 80.0f - env->scenery;
        float h = 26.0f + (float)((i * 37 + 11) % 5) * 9.0f;
        for (int copy = 0; copy < 2; copy++) {
            float x = cx + (float)copy * RACING_SCENERY_W;
            Vector2 top = {x, RACING_HORIZON - h};
            Vector2 left = {x - 70.0f, RACING_HORIZON};
            Vector2 right = {x + 70.0f, RACING_HORIZON};
            DrawTriangle(top, left, right, pal->hills);
        }
    }
}

// Bands of RACING_STRIPE from the far end of sight to just behind the car, far first:
// the grass of every band (pass 0), then the road's quads over it (pass 1).
static void racing_draw_road(const Env *env, const RacingPalette *pal, float sight) {
    float w_near = -1.4f;
    // Band boundaries move with the road: they sit at k * STRIPE - stripe phase.
    float first = -env->stripe;
    int bands = 0;
    while (first + (float)(bands + 1) * RACING_STRIPE < sight) bands++;
    for (int pass = 0; pass < 2; pass++) {
        for (int k = bands; k >= 0; k--) {
            float w1 = first + (float)k * RACING_STRIPE;
            float w0 = w1 + RACING_STRIPE;
            if (w0 > sight) w0 = sight;
            if (w1 < w_near) w1 = w_near;
            if (w0 <= w1) continue;
            int odd = k & 1;
            if (pass == 0) {
                float y0 = racing_screen_y(w0);
                float y1 = racing_screen_y(w1);
                DrawRectangle(0, (int)y0, RENDER_WIDTH, (int)(y1 - y0) + 2,
                              odd ? pal->grass_b : pal->grass_a);
                continue;
            }
            Color rumble = odd ? pal->rumble_b : pal->rumble_a;
            racing_strip(env, w0, w1, -RACING_ROAD_HALF - 0.15f, -RACING_ROAD_HALF, rumble);
            racing_strip(env, w0, w1, RACING_ROAD_HALF, RACING_ROAD_HALF + 0.15f, rumble);
            racing_strip(env, w0, w1, -RACING_ROAD_HALF, RACING_ROAD_HALF,
                         odd ? pal->road_b : pal->road_a);
            if (odd) {  // dashed lane markings
                racing_strip(env, w0, w1, -0.53f, -0.47f, pal->lines);
                racing_strip(env, w0, w1, 0.47f, 0.53f, pal->lines);
            }
        }
    }
}

// A car whose rear is at w ahead and lateral x; night: tail lights only.
static void racing_draw_car(const Env *env, float w, float x, Color body, int lights_only,
                            int player) {
    float d = w + RACING_CAM_BACK;
    float y = racing_screen_y(w);
    float cx = racing_screen_x(env, w, x);
    float half = RACING_X_SCALE * 0.36f / d;
    float h = half * 0.95f;
    float light = half * 0.32f;
    if (!lights_only) {
        Color dark = racing_mix(body, (Color){0, 0, 0, 255}, 0.45f);
        DrawRectangle((int)(cx - half - half * 0.12f), (int)(y - h * 0.45f), (int)(half * 0.3f),
                      (int)(h * 0.45f), (Color){20, 20, 24, 255});  // wheels
        DrawRectangle((int)(cx + half - half * 0.18f), (int)(y - h * 0.45f), (int)(half * 0.3f),
                      (int)(h * 0.45f), (Color){20, 20, 24, 255});
        DrawRectangle((int)(cx - half), (int)(y - h * 0.62f), (int)(2.0f * half),
                      (int)(h * 0.5f), body);
        DrawRectangle((int)(cx - half * 0.7f), (int)(y - h), (int)(1.4f * half),
                      (int)(h * 0.4f), dark);  // cabin
        if (player) {
            DrawRectangle((int)(cx - half), (int)(y - h * 0.3f), (int)(2.0f * half),
                          (int)(h * 0.1f) + 1, RACING_PLAYER_TRIM);
        }
    }
    Color tail = RACING_TAIL;
    DrawRectangle((int)(cx - half * 0.9f), (int)(y - h * 0.5f), (int)light + 1,
                  (int)(light * 0.6f) + 1, tail);
    DrawRectangle((int)(cx + half * 0.9f - light), (int)(y - h * 0.5f), (int)light + 1,
                  (int)(light * 0.6f) + 1, tail);
}

static void racing_draw_traffic(const Env *env) {
    int order[RACING_MAX_CARS];
    int n = 0;
    for (int i = 0; i < env->num_cars; i++) {
        const RacingCar *car = &env->cars[i];
        if (!racing_visible(env, car) || car->dz < -1.4f) continue;
        int j = n++;
        while (j > 0 && env->cars[order[j - 1]].dz < car->dz) {  // far first
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    int dark = env->phase == RACING_NIGHT || env->phase == RACING_NIGHT2;
    for (int j = 0; j < n; j++) {
        const RacingCar *car = &env->cars[order[j]];
        racing_draw_car(env, car->dz, car->x, RACING_CAR_COLORS[car->color], dark, 0);
    }
}

static void racing_draw_fog(const Env *env, const RacingPalette *pal, float sight) {
    if (sight >= RACING_VIEW) return;
    float y = racing_screen_y(sight);
    Color fog = env->phase == RACING_FOG ? (Color){150, 154, 156, 255} : pal->sky_low;
    if (env->phase == RACING_NIGHT || env->phase == RACING_NIGHT2) fog = (Color){2, 4, 10, 255};
    DrawRectangle(0, (int)RACING_HORIZON, RENDER_WIDTH, (int)(y - RACING_HORIZON), fog);
    // A soft edge below the wall of fog.
    DrawRectangleGradientV(0, (int)y, RENDER_WIDTH, 24, fog, Fade(fog, 0.0f));
}

static void racing_draw_snow(const Env *env) {
    if (env->phase != RACING_SNOW) return;
    for (int i = 0; i < 90; i++) {  // flakes falling in a fixed pattern
        int x = (i * 131 + env->steps * (1 + i % 3)) % RENDER_WIDTH;
        int y = (i * 71 + env->steps * (2 + i % 4)) % (int)RACING_ROAD_BOTTOM;
        DrawRectangle(x, y, 2 + i % 2, 2 + i % 2, (Color){255, 255, 255, 220});
    }
}

static void racing_draw_dashboard(const Env *env) {
    int top = (int)RACING_ROAD_BOTTOM;
    DrawRectangle(0, top, RENDER_WIDTH, RENDER_HEIGHT - top, RACING_DASH_BG);
    DrawRectangle(0, top, RENDER_WIDTH, 3, RACING_PLAYER_TRIM);
    int day = env->day < env->max_days ? env->day : env->max_days;
    DrawText(TextFormat("DAY %d", day), 18, top + 14, 28, RACING_DASH_TEXT);
    DrawText(RACING_PHASE_NAMES[env->phase], 18, top + 48, 18, RACING_DASH_DIM);
    if (env->cars_left > 0) {
        DrawText(TextFormat("%d", env->cars_left), 170, top + 10, 40, RACING_DASH_TEXT);
        DrawText("CARS LEFT", 170, top + 52, 16, RACING_DASH_DIM);
    } else {
        DrawRectangle(170, top + 14, 6, 44, RACING_DASH_TEXT);  // a flag: quota met
        DrawRectangle(176, top + 14, 40, 24, RACING_FLAG);
        DrawText("QUOTA MET", 226, top + 20, 20, RACING_FLAG);
    }
    int kmh = (int)(env->speed * 80.0f + 0.5f);
    DrawText(TextFormat("%3d", kmh), 380, top + 10, 40, RACING_DASH_TEXT);
    DrawText("KM/H", 380, top + 52, 16, RACING_DASH_DIM);
    // Speed bar and the day's clock.
    DrawRectangle(460, top + 18, 160, 12, (Color){40, 44, 60, 255});
    DrawRectangle(460, top + 18, (int)(160.0f * env->speed / RACING_VMAX), 12, RACING_PLAYER_TRIM);
    DrawRectangle(460, top + 44, 160, 8, (Color){40, 44, 60, 255});
    DrawRectangle(460, top + 44, 160 * env->day_t / env->day_steps, 8, RACING_DASH_DIM);
    DrawText(TextFormat("SCORE %d", env->score), 460, top + 58, 16, RACING_DASH_DIM);
}

static void racing_draw_end(const Env *env) {
    if (!env->done) return;
    const char *text = env->cars_left > 0 ? "QUOTA MISSED" : "RACE OVER";
    int size = 44;
    int y = (int)RACING_HORIZON + 60;
    DrawRectangle(0, y - 14, RENDER_WIDTH, size + 28, Fade(BLACK, 0.6f));
    DrawText(text, (RENDER_WIDTH - MeasureText(text, size)) / 2, y, size, RAYWHITE);
}

static void env_render(Env *env, int highlight_agent) {
    RacingPalette pal = racing_palette(env);
    ClearBackground(pal.grass_a);
    racing_draw_sky(env, &pal);
    float sight = env->view;
    racing_draw_road(env, &pal, sight < RACING_VIEW ? sight + 6.0f : RACING_VIEW + 40.0f);
    racing_draw_fog(env, &pal, sight + 6.0f);
    racing_draw_traffic(env);
    // The player's car, shaking for a moment after a collision.
    float shake = env->crash_t < 12 ? (float)((env->crash_t & 2) - 1) * 0.05f : 0.0f;
    if (highlight_agent == 0) {  // the human drives: a soft glow under the car
        float cx = racing_screen_x(env, 0.0f, env->x);
        DrawEllipse((int)cx, (int)racing_screen_y(0.0f) - 4, 84.0f, 16.0f,
                    Fade(RACING_PLAYER_TRIM, 0.35f));
    }
    racing_draw_car(env, 0.0f, env->x + shake, RACING_PLAYER, 0, 1);
    racing_draw_snow(env);
    racing_draw_dashboard(env);
    racing_draw_end(env);
}

// Up/W accelerates, Down/S brakes, Left/A and Right/D steer; opposite keys cancel.
static int env_human_action(Env *env, int agent) {
    (void)env;
    (void)agent;
    int gas = IsKeyDown(KEY_UP) || IsKeyDown(KEY_W);
    int brake = IsKeyDown(KEY_DOWN) || IsKeyDown(KEY_S);
    int left = IsKeyDown(KEY_LEFT) || IsKeyDown(KEY_A);
    int right = IsKeyDown(KEY_RIGHT) || IsKeyDown(KEY_D);
    int pedal = gas && !brake ? 1 : (brake && !gas ? 2 : 0);
    int steer = left && !right ? 1 : (right && !left ? 2 : 0);
    static const int ACTIONS[3][3] = {
        {RACING_NOOP, RACING_LEFT, RACING_RIGHT},
        {RACING_ACCEL, RACING_ACCEL_LEFT, RACING_ACCEL_RIGHT},
        {RACING_BRAKE, RACING_BRAKE_LEFT, RACING_BRAKE_RIGHT},
    };
    return ACTIONS[pedal][steer];
}

#endif
