// Pong drawing and human controls (raylib). The glue calls env_render between
// BeginDrawing and EndDrawing, and env_human_action once per step for the human's agent.
// The court is drawn at PONG_RENDER_SCALE pixels per unit. Uses only raylib API that exists
// in 3.5 and 5.x.
#ifndef SHIFTPLAY_PONG_RENDER_H
#define SHIFTPLAY_PONG_RENDER_H

#include "raylib.h"
#include "pong.h"

static const int PONG_RENDER_SCALE = 8;
static const int RENDER_WIDTH = 800;   // PONG_W * PONG_RENDER_SCALE
static const int RENDER_HEIGHT = 600;  // PONG_H * PONG_RENDER_SCALE
static const int RENDER_STEPS_PER_SECOND = 60;

static const Color PONG_BG = {12, 14, 22, 255};
static const Color PONG_LINE = {58, 64, 86, 255};
static const Color PONG_OPP = {150, 158, 182, 255};
static const Color PONG_AGENT = {84, 214, 255, 255};
static const Color PONG_BALL = {245, 246, 250, 255};
static const Color PONG_TEXT = {110, 118, 146, 255};

static int pong_px(float units) {
    return (int)(units * (float)PONG_RENDER_SCALE + 0.5f);
}

static void pong_draw_paddle(float face_x, float center_y, float direction, Color color) {
    // The paddle sits behind its face: [face - 1.5, face] for the agent (direction -1
    // means the ball bounces to the left), [face, face + 1.5] for the opponent.
    float width = 1.5f;
    float x = direction < 0.0f ? face_x : face_x - width;
    int top = pong_px(center_y - PONG_PADDLE_HALF);
    int height = pong_px(2.0f * PONG_PADDLE_HALF);
    DrawRectangle(pong_px(x), top, pong_px(width), height, color);
}

static void env_render(Env *env, int highlight_agent) {
    ClearBackground(PONG_BG);
    // Center line, dashed.
    int dash = RENDER_HEIGHT / 30;
    for (int y = dash / 2; y < RENDER_HEIGHT; y += 2 * dash) {
        DrawRectangle(RENDER_WIDTH / 2 - 2, y, 4, dash, PONG_LINE);
    }
    DrawRectangle(0, 0, RENDER_WIDTH, 3, PONG_LINE);
    DrawRectangle(0, RENDER_HEIGHT - 3, RENDER_WIDTH, 3, PONG_LINE);

    // Scores: opponent left, agent right.
    int size = 72;
    const char *opp = TextFormat("%d", env->score_opp);
    DrawText(opp, RENDER_WIDTH / 2 - 48 - MeasureText(opp, size), 28, size, PONG_TEXT);
    DrawText(TextFormat("%d", env->score_agent), RENDER_WIDTH / 2 + 48, 28, size, PONG_AGENT);
    DrawText(env->versus ? "PLAYER 2" : "CPU", 24, RENDER_HEIGHT - 34, 20, PONG_TEXT);
    const char *mine = "AGENT";
    DrawText(mine, RENDER_WIDTH - 24 - MeasureText(mine, 20), RENDER_HEIGHT - 34, 20, PONG_AGENT);

    if (highlight_agent == 1) {
        DrawRectangle(pong_px(PONG_FACE) - 6, pong_px(env->opp_y - PONG_PADDLE_HALF) - 6,
                      pong_px(1.5f) + 12, pong_px(2.0f * PONG_PADDLE_HALF) + 12,
                      Fade(PONG_OPP, 0.18f));
    }
    pong_draw_paddle(PONG_FACE, env->opp_y, 1.0f, PONG_OPP);
    if (highlight_agent == 0) {
        // A soft glow behind the controlled paddle.
        float x = PONG_W - PONG_FACE - 1.5f;
        DrawRectangle(pong_px(x) - 6, pong_px(env->paddle_y - PONG_PADDLE_HALF) - 6,
                      pong_px(1.5f) + 12, pong_px(2.0f * PONG_PADDLE_HALF) + 12,
                      Fade(PONG_AGENT, 0.18f));
    }
    pong_draw_paddle(PONG_W - PONG_FACE, env->paddle_y, -1.0f, PONG_AGENT);

    int r = pong_px(PONG_BALL_R);
    DrawRectangle(pong_px(env->ball_x) - r, pong_px(env->ball_y) - r, 2 * r, 2 * r, PONG_BALL);
}

// Up/Down or W/S; both or neither: stay.
static int env_human_action(Env *env, int agent) {
    (void)env;
    (void)agent;
    int up = IsKeyDown(KEY_UP) || IsKeyDown(KEY_W);
    int down = IsKeyDown(KEY_DOWN) || IsKeyDown(KEY_S);
    if (up && !down) return PONG_UP;
    if (down && !up) return PONG_DOWN;
    return PONG_STAY;
}

#endif
