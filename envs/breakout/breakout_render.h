// Breakout drawing and human controls (raylib). The glue calls env_render between
// BeginDrawing and EndDrawing. The field is drawn at BREAKOUT_RENDER_SCALE pixels per unit.
#ifndef SHIFTPLAY_BREAKOUT_RENDER_H
#define SHIFTPLAY_BREAKOUT_RENDER_H

#include <stdio.h>

#include "raylib.h"
#include "breakout.h"

static const int BREAKOUT_RENDER_SCALE = 4;
static const int RENDER_WIDTH = 576;   // BREAKOUT_FIELD_W * BREAKOUT_RENDER_SCALE
static const int RENDER_HEIGHT = 640;  // BREAKOUT_FIELD_H * BREAKOUT_RENDER_SCALE
static const int RENDER_STEPS_PER_SECOND = 60;

static const Color BREAKOUT_BG = {0, 0, 0, 255};
static const Color BREAKOUT_WALL = {142, 142, 142, 255};
static const Color BREAKOUT_PADDLE = {200, 72, 72, 255};
static const Color BREAKOUT_TEXT = {200, 200, 200, 255};
static const Color BREAKOUT_ROW_COLORS[BREAKOUT_BRICK_ROWS] = {
    {200, 72, 72, 255},   // red
    {198, 108, 58, 255},  // orange
    {180, 122, 48, 255},  // tan
    {162, 162, 42, 255},  // yellow
    {72, 160, 72, 255},   // green
    {66, 72, 200, 255},   // blue
};

static int breakout_px(float units) {
    return (int)(units * (float)BREAKOUT_RENDER_SCALE);
}

static void breakout_draw_bricks(const Env *env) {
    int w = breakout_px(BREAKOUT_BRICK_W);
    int h = breakout_px(BREAKOUT_BRICK_H);
    for (int row = 0; row < BREAKOUT_BRICK_ROWS; row++) {
        int y = breakout_px(BREAKOUT_BRICK_TOP) + row * h;
        for (int col = 0; col < BREAKOUT_BRICK_COLS; col++) {
            if (!env->bricks[row * BREAKOUT_BRICK_COLS + col]) continue;
            DrawRectangle(col * w, y, w - 1, h - 1, BREAKOUT_ROW_COLORS[row]);
        }
    }
}

static void breakout_draw_hud(const Env *env) {
    char text[32];
    int size = 40;
    snprintf(text, sizeof(text), "%03d", env->score);
    DrawText(text, 16, 24, size, BREAKOUT_TEXT);
    snprintf(text, sizeof(text), "BALLS %d", env->balls_left > 0 ? env->balls_left : 0);
    DrawText(text, RENDER_WIDTH - 16 - MeasureText(text, size), 24, size, BREAKOUT_TEXT);
}

static void breakout_draw_end(const Env *env) {
    const char *text = NULL;
    if (env->bricks_left == 0) text = "WALL CLEARED";
    if (env->balls_left <= 0) text = "GAME OVER";
    if (text == NULL) return;
    int size = 48;
    int y = RENDER_HEIGHT / 2 - size / 2;
    DrawRectangle(0, y - 16, RENDER_WIDTH, size + 32, Fade(BREAKOUT_BG, 0.7f));
    DrawText(text, (RENDER_WIDTH - MeasureText(text, size)) / 2, y, size, BREAKOUT_TEXT);
}

static void env_render(Env *env, int highlight_agent) {
    (void)highlight_agent;
    ClearBackground(BREAKOUT_BG);
    // Top and side walls, drawn as thin bars on the field's edges.
    DrawRectangle(0, 0, RENDER_WIDTH, 4, BREAKOUT_WALL);
    DrawRectangle(0, 0, 2, RENDER_HEIGHT, BREAKOUT_WALL);
    DrawRectangle(RENDER_WIDTH - 2, 0, 2, RENDER_HEIGHT, BREAKOUT_WALL);
    breakout_draw_hud(env);
    breakout_draw_bricks(env);

    Rectangle paddle = {
        (env->paddle_x - env->paddle_w / 2.0f) * (float)BREAKOUT_RENDER_SCALE,
        BREAKOUT_PADDLE_Y * (float)BREAKOUT_RENDER_SCALE,
        env->paddle_w * (float)BREAKOUT_RENDER_SCALE,
        BREAKOUT_PADDLE_H * (float)BREAKOUT_RENDER_SCALE,
    };
    DrawRectangleRec(paddle, BREAKOUT_PADDLE);

    if (env->ball_y < BREAKOUT_FIELD_H) {
        int size = breakout_px(2.0f * BREAKOUT_BALL_R);
        DrawRectangle(breakout_px(env->ball_x - BREAKOUT_BALL_R),
                      breakout_px(env->ball_y - BREAKOUT_BALL_R),
                      size, size, BREAKOUT_PADDLE);
    }
    breakout_draw_end(env);
}

static int env_human_action(Env *env, int agent) {
    (void)env;
    (void)agent;
    int left = IsKeyDown(KEY_LEFT) || IsKeyDown(KEY_A);
    int right = IsKeyDown(KEY_RIGHT) || IsKeyDown(KEY_D);
    if (left && !right) return BREAKOUT_LEFT;
    if (right && !left) return BREAKOUT_RIGHT;
    return BREAKOUT_NOOP;
}

#endif
