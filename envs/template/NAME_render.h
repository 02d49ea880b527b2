// {{Title}} drawing and human input (raylib). The wasm entry (web/wasm_entry.c) calls
// env_render between BeginDrawing and EndDrawing, and env_human_action once per step
// for the agent the human drives. The render contract is in envs/env.h.
#ifndef SHIFTPLAY_{{NAME}}_RENDER_H
#define SHIFTPLAY_{{NAME}}_RENDER_H

#include "raylib.h"
#include "{{name}}.h"

static const int RENDER_WIDTH = 480;   // canvas size in pixels
static const int RENDER_HEIGHT = 480;
static const int RENDER_STEPS_PER_SECOND = 30;  // env steps per second at 1x speed

static const Color {{NAME}}_BG = {16, 18, 28, 255};
static const Color {{NAME}}_PADDLE = {84, 214, 255, 255};
static const Color {{NAME}}_DOT = {255, 196, 64, 255};
static const Color {{NAME}}_TEXT = {150, 158, 182, 255};

static void env_render(Env *env, int highlight_agent) {
    ClearBackground({{NAME}}_BG);
    float w = (float)RENDER_WIDTH;
    float h = (float)RENDER_HEIGHT;
    int paddle_w = (int)(2.0f * {{NAME}}_PADDLE_HALF * w);
    int paddle_x = (int)((env->paddle_x - {{NAME}}_PADDLE_HALF) * w);
    if (highlight_agent == 0) {  // the human's agent: a soft glow
        DrawRectangle(paddle_x - 6, (int)h - 26, paddle_w + 12, 22, Fade({{NAME}}_PADDLE, 0.2f));
    }
    DrawRectangle(paddle_x, (int)h - 20, paddle_w, 10, {{NAME}}_PADDLE);
    DrawCircle((int)(env->dot_x * w), (int)(env->dot_y * (h - 20.0f)), 8.0f, {{NAME}}_DOT);
    DrawText(TextFormat("caught %d   dots left %d", env->caught, env->drops_left), 12, 12,
             20, {{NAME}}_TEXT);
}

// Left/Right or A/D; both or neither: NOOP (ENV_SPEC.noop_action).
static int env_human_action(Env *env, int agent) {
    (void)env;
    (void)agent;
    int left = IsKeyDown(KEY_LEFT) || IsKeyDown(KEY_A);
    int right = IsKeyDown(KEY_RIGHT) || IsKeyDown(KEY_D);
    if (left && !right) return {{NAME}}_LEFT;
    if (right && !left) return {{NAME}}_RIGHT;
    return {{NAME}}_NOOP;
}

#endif
