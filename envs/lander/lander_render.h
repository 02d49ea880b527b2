// Lander drawing and human input (raylib). The wasm entry (web/wasm_entry.c) calls
// env_render between BeginDrawing and EndDrawing, and env_human_continuous once per step
// for the agent the human drives. The render contract is in envs/env.h. Uses only raylib
// API that exists in 3.5 and 5.x.
#ifndef SHIFTPLAY_LANDER_RENDER_H
#define SHIFTPLAY_LANDER_RENDER_H

#include "raylib.h"
#include "lander.h"

#define LANDER_SCALE 16.0f  // pixels per metre
static const int RENDER_WIDTH = 640;   // LANDER_W * LANDER_SCALE
static const int RENDER_HEIGHT = 544;  // LANDER_TOP * LANDER_SCALE
static const int RENDER_STEPS_PER_SECOND = 30;  // 1 / LANDER_DT: real time

// Keys ramp the actions instead of switching them: per step, the throttle moves at most
// MAIN_RAMP toward its target and the side thrust at most SIDE_RAMP.
#define LANDER_MAIN_RAMP 0.15f
#define LANDER_SIDE_RAMP 0.2f

static const Color LANDER_SKY = {12, 14, 26, 255};
static const Color LANDER_GROUND = {58, 52, 70, 255};
static const Color LANDER_RIDGE = {112, 104, 138, 255};
static const Color LANDER_PAD = {84, 214, 255, 255};
static const Color LANDER_HULL = {232, 236, 244, 255};
static const Color LANDER_TRIM = {150, 158, 182, 255};
static const Color LANDER_FLAME = {255, 170, 60, 255};
static const Color LANDER_CORE = {255, 236, 150, 255};
static const Color LANDER_TEXT = {150, 158, 182, 255};
static const Color LANDER_GOOD = {110, 230, 140, 255};
static const Color LANDER_BAD = {255, 110, 100, 255};

static Vector2 lander_px(float x, float y) {
    Vector2 v = {x * LANDER_SCALE, (LANDER_TOP - y) * LANDER_SCALE};
    return v;
}

// A point of the rocket: `axial` metres along its axis, `lateral` to its right.
static Vector2 lander_body(const Env *env, float axial, float lateral) {
    float x = env->x + axial * env->up_x + lateral * env->up_y;
    float y = env->y + axial * env->up_y - lateral * env->up_x;
    return lander_px(x, y);
}

// A filled triangle whatever its winding: raylib draws only counter-clockwise ones as
// seen on screen (y down), where the cross product below is negative.
static void lander_triangle(Vector2 a, Vector2 b, Vector2 c, Color color) {
    float cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    if (cross < 0.0f) DrawTriangle(a, b, c, color);
    else DrawTriangle(a, c, b, color);
}

static void lander_draw_terrain(const Env *env) {
    float bottom = (float)RENDER_HEIGHT;
    for (int i = 0; i < LANDER_SEGMENTS; i++) {
        Vector2 a = lander_px((float)i * LANDER_SEGMENT_W, env->ground[i]);
        Vector2 b = lander_px((float)(i + 1) * LANDER_SEGMENT_W, env->ground[i + 1]);
        Vector2 c = {b.x, bottom};
        Vector2 d = {a.x, bottom};
        lander_triangle(a, d, c, LANDER_GROUND);
        lander_triangle(a, c, b, LANDER_GROUND);
        DrawLineEx(a, b, 2.0f, LANDER_RIDGE);
    }
    Vector2 left = lander_px(env->pad_x - LANDER_PAD_HALF, env->pad_y);
    Vector2 right = lander_px(env->pad_x + LANDER_PAD_HALF, env->pad_y);
    DrawRectangle((int)left.x, (int)left.y - 3, (int)(right.x - left.x), 6, LANDER_PAD);
    for (int side = 0; side < 2; side++) {  // a flag at each end
        float fx = side ? right.x - 2.0f : left.x;
        DrawRectangle((int)fx, (int)left.y - 34, 2, 31, LANDER_TRIM);
        Vector2 p = {fx + 2.0f, left.y - 34.0f};
        Vector2 q = {fx + 2.0f, left.y - 24.0f};
        Vector2 r = {fx + (side ? -12.0f : 16.0f), left.y - 29.0f};
        lander_triangle(p, q, r, LANDER_PAD);
    }
}

static void lander_draw_rocket(const Env *env, int highlight) {
    if (highlight) DrawCircleV(lander_body(env, 1.6f, 0.0f), 40.0f, Fade(LANDER_PAD, 0.15f));
    // Main flame, its length and width following the throttle.
    if (env->throttle > 0.01f && env->outcome == LANDER_FLYING) {
        float len = 0.6f + 2.4f * env->throttle;
        float half = 0.18f + 0.2f * env->throttle;
        lander_triangle(lander_body(env, 0.35f, -half), lander_body(env, 0.35f, half),
                        lander_body(env, 0.35f - len, 0.0f), LANDER_FLAME);
        lander_triangle(lander_body(env, 0.35f, -0.5f * half),
                        lander_body(env, 0.35f, 0.5f * half),
                        lander_body(env, 0.35f - 0.55f * len, 0.0f), LANDER_CORE);
    }
    // Side thruster near the nose: a clockwise push fires to the left, and back.
    float side = env->side;
    if ((side > 0.02f || side < -0.02f) && env->outcome == LANDER_FLYING) {
        float dir = side > 0.0f ? -1.0f : 1.0f;
        float mag = side > 0.0f ? side : -side;
        float len = 0.3f + 0.9f * mag;
        lander_triangle(lander_body(env, 2.35f, dir * 0.45f),
                        lander_body(env, 2.65f, dir * 0.45f),
                        lander_body(env, 2.5f, dir * (0.45f + len)), LANDER_FLAME);
    }
    // Legs, hull and nose.
    for (int s = -1; s <= 1; s += 2) {
        DrawLineEx(lander_body(env, 0.7f, 0.35f * (float)s),
                   lander_body(env, 0.0f, LANDER_LEG * (float)s), 2.5f, LANDER_TRIM);
    }
    Vector2 a = lander_body(env, 0.35f, -0.45f), b = lander_body(env, 0.35f, 0.45f);
    Vector2 c = lander_body(env, 2.7f, 0.45f), d = lander_body(env, 2.7f, -0.45f);
    lander_triangle(a, b, c, LANDER_HULL);
    lander_triangle(a, c, d, LANDER_HULL);
    lander_triangle(d, c, lander_body(env, 3.5f, 0.0f), LANDER_TRIM);
    DrawCircleV(lander_body(env, 1.9f, 0.0f), 3.5f, LANDER_SKY);
}

static void lander_draw_hud(const Env *env) {
    float speed = sqrtf(env->vx * env->vx + env->vy * env->vy);
    Color speed_color = speed <= LANDER_SAFE_SPEED ? LANDER_GOOD : LANDER_TEXT;
    DrawText(TextFormat("speed %.1f m/s", (double)speed), 12, 10, 20, speed_color);
    DrawText(TextFormat("fuel %d%%", (int)(env->fuel * 100.0f + 0.5f)), 12, 34, 20,
             env->fuel > 0.15f ? LANDER_TEXT : LANDER_BAD);
    DrawRectangle(130, 40, 100, 10, Fade(LANDER_TRIM, 0.3f));
    DrawRectangle(130, 40, (int)(env->fuel * 100.0f), 10, LANDER_TRIM);
    float points = env->episode_return;  // rounded to the nearest, never "-0"
    int rounded = (int)(points < 0.0f ? points - 0.5f : points + 0.5f);
    DrawText(TextFormat("points %d", rounded), 12, 58, 20, LANDER_TEXT);
    // The last touchdown (or how the last flight ended) until the next one.
    const char *text = NULL;
    Color color = LANDER_TEXT;
    int outcome = env->outcome != LANDER_FLYING ? env->outcome : env->last_outcome;
    float touchdown = env->outcome != LANDER_FLYING ? env->touchdown_speed : env->last_touchdown;
    if (outcome == LANDER_LANDED) {
        text = TextFormat("landed at %.1f m/s", (double)touchdown);
        color = LANDER_GOOD;
    } else if (outcome == LANDER_CRASHED) {
        text = TextFormat("crashed at %.1f m/s", (double)touchdown);
        color = LANDER_BAD;
    } else if (outcome == LANDER_FLEW_OFF) {
        text = "flew off";
        color = LANDER_BAD;
    } else if (outcome == LANDER_TIMED_OUT) {
        text = "out of time";
    }
    if (text != NULL) {
        DrawText("last touchdown", RENDER_WIDTH - 12 - MeasureText("last touchdown", 16), 10,
                 16, LANDER_TEXT);
        DrawText(text, RENDER_WIDTH - 12 - MeasureText(text, 20), 30, 20, color);
    }
    const char *rule = TextFormat("safe: under %.0f m/s, upright, on the pad",
                                  (double)LANDER_SAFE_SPEED);
    DrawText(rule, 12, RENDER_HEIGHT - 24, 16, Fade(LANDER_TEXT, 0.8f));
}

static void env_render(Env *env, int highlight_agent) {
    ClearBackground(LANDER_SKY);
    lander_draw_terrain(env);
    lander_draw_rocket(env, highlight_agent == 0);
    lander_draw_hud(env);
}

static float lander_ramp(float from, float to, float rate) {
    if (to > from + rate) return from + rate;
    if (to < from - rate) return from - rate;
    return to;
}

// Up or W fires the main engine, Left/Right or A/D the side thrusters (Left turns the
// nose left). Each value ramps from the one applied last step toward the keys' target,
// so a tap gives a short, gentle burn and a hold full thrust.
static void env_human_continuous(Env *env, int agent, float *action) {
    (void)agent;
    int up = IsKeyDown(KEY_UP) || IsKeyDown(KEY_W);
    int left = IsKeyDown(KEY_LEFT) || IsKeyDown(KEY_A);
    int right = IsKeyDown(KEY_RIGHT) || IsKeyDown(KEY_D);
    float side = (float)right - (float)left;
    action[0] = lander_ramp(env->throttle, up ? 1.0f : 0.0f, LANDER_MAIN_RAMP);
    action[1] = lander_ramp(env->side, side, LANDER_SIDE_RAMP);
}

#endif
