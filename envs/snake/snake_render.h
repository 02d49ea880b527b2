// Snake drawing and human controls (raylib). The glue calls env_render between
// BeginDrawing and EndDrawing, and env_human_action once per step for the human's agent.
#ifndef SHIFTPLAY_SNAKE_RENDER_H
#define SHIFTPLAY_SNAKE_RENDER_H

#include "raylib.h"
#include "snake.h"

// Steps per second at 1x speed on the page (the default of 60 is too fast to steer).
static const int RENDER_STEPS_PER_SECOND = 12;

static const int RENDER_WIDTH = 672;
static const int RENDER_HEIGHT = 704;
static const int SNAKE_RENDER_HUD = 32;  // text strip at the bottom

static const Color SNAKE_COLORS[12] = {
    {230, 41, 55, 255},   {0, 158, 47, 255},   {0, 121, 241, 255},  {255, 161, 0, 255},
    {200, 122, 255, 255}, {0, 228, 200, 255},  {255, 109, 194, 255}, {135, 60, 190, 255},
    {127, 106, 79, 255},  {102, 191, 255, 255}, {190, 33, 55, 255},  {253, 249, 0, 255},
};

typedef struct {
    int cell;   // pixels per grid cell
    int x0;     // pixel position of grid column 0
    int y0;     // pixel position of grid row 0
} SnakeView;

static SnakeView snake_view(Env *env) {
    SnakeView v;
    int cw = RENDER_WIDTH / env->width;
    int ch = (RENDER_HEIGHT - SNAKE_RENDER_HUD) / env->height;
    v.cell = cw < ch ? cw : ch;
    if (v.cell < 1) v.cell = 1;
    v.x0 = (RENDER_WIDTH - v.cell * env->width) / 2;
    v.y0 = (RENDER_HEIGHT - SNAKE_RENDER_HUD - v.cell * env->height) / 2;
    return v;
}

// Pixel position of a padded grid index.
static void snake_cell_xy(Env *env, SnakeView v, int index, int *x, int *y) {
    int r = index / env->pitch - SNAKE_VIEW_RADIUS;
    int c = index % env->pitch - SNAKE_VIEW_RADIUS;
    *x = v.x0 + c * v.cell;
    *y = v.y0 + r * v.cell;
}

static void snake_draw_snake(Env *env, SnakeView v, int i, Color color) {
    Snake *s = &env->snakes[i];
    int inset = v.cell >= 4 ? 1 : 0;
    for (int k = 0; k < s->length; k++) {
        int x, y;
        snake_cell_xy(env, v, snake_cell(env, i, k), &x, &y);
        Color c = (k == s->length - 1) ? color : Fade(color, 0.75f);
        DrawRectangle(x + inset, y + inset, v.cell - 2 * inset, v.cell - 2 * inset, c);
    }
    if (s->length > 0) {
        int x, y;
        snake_cell_xy(env, v, s->head, &x, &y);
        DrawRectangleLines(x, y, v.cell, v.cell, RAYWHITE);
    }
}

static void snake_draw_highlight(Env *env, SnakeView v, int agent) {
    Snake *s = &env->snakes[agent];
    for (int k = 0; k < s->length; k++) {
        int x, y;
        snake_cell_xy(env, v, snake_cell(env, agent, k), &x, &y);
        DrawRectangle(x, y, v.cell, v.cell, YELLOW);
    }
    int x, y;
    snake_cell_xy(env, v, s->head, &x, &y);
    DrawRectangle(x, y, v.cell, v.cell, WHITE);
    // The agent's 11x11 view, clipped to the drawn area by raylib's window.
    int bx = x - SNAKE_VIEW_RADIUS * v.cell;
    int by = y - SNAKE_VIEW_RADIUS * v.cell;
    int size = SNAKE_VIEW * v.cell;
    DrawRectangleLines(bx, by, size, size, YELLOW);
    DrawRectangleLines(bx - 1, by - 1, size + 2, size + 2, YELLOW);
}

static void env_render(Env *env, int highlight_agent) {
    SnakeView v = snake_view(env);
    ClearBackground((Color){20, 20, 28, 255});
    int gw = v.cell * env->width;
    int gh = v.cell * env->height;
    DrawRectangle(v.x0, v.y0, gw, gh, (Color){34, 34, 44, 255});
    DrawRectangleLines(v.x0 - 2, v.y0 - 2, gw + 4, gh + 4, GRAY);
    DrawRectangleLines(v.x0 - 1, v.y0 - 1, gw + 2, gh + 2, GRAY);
    // Food
    for (int r = 0; r < env->height; r++) {
        const uint8_t *row = env->grid + (r + SNAKE_VIEW_RADIUS) * env->pitch + SNAKE_VIEW_RADIUS;
        for (int c = 0; c < env->width; c++) {
            if (row[c] != SNAKE_CELL_FOOD) continue;
            int inset = v.cell >= 5 ? v.cell / 4 : 0;
            DrawRectangle(v.x0 + c * v.cell + inset, v.y0 + r * v.cell + inset,
                          v.cell - 2 * inset, v.cell - 2 * inset, LIME);
        }
    }
    // Snakes
    for (int i = 0; i < env->num_snakes; i++) {
        if (env->snakes[i].state != SNAKE_ALIVE) continue;
        snake_draw_snake(env, v, i, SNAKE_COLORS[i % 12]);
    }
    int have_agent = highlight_agent >= 0 && highlight_agent < env->num_snakes;
    if (have_agent) snake_draw_highlight(env, v, highlight_agent);
    // Text
    int ty = RENDER_HEIGHT - SNAKE_RENDER_HUD + 8;
    DrawRectangle(0, RENDER_HEIGHT - SNAKE_RENDER_HUD, RENDER_WIDTH, SNAKE_RENDER_HUD,
                  (Color){20, 20, 28, 255});
    if (have_agent) {
        Snake *s = &env->snakes[highlight_agent];
        const char *state = s->state == SNAKE_ALIVE ? "" : "  (dead)";
        DrawText(TextFormat("Agent %d  length %d  step %d%s", highlight_agent, s->length,
                            s->steps, state), 10, ty, 20, YELLOW);
    }
    DrawText(TextFormat("%d snakes  food %d", env->num_snakes, env->food_count),
             RENDER_WIDTH - 220, ty, 20, LIGHTGRAY);
}

// Arrow keys or WASD; no key keeps the current heading.
static int env_human_action(Env *env, int agent) {
    if (IsKeyDown(KEY_UP) || IsKeyDown(KEY_W)) return SNAKE_UP;
    if (IsKeyDown(KEY_DOWN) || IsKeyDown(KEY_S)) return SNAKE_DOWN;
    if (IsKeyDown(KEY_LEFT) || IsKeyDown(KEY_A)) return SNAKE_LEFT;
    if (IsKeyDown(KEY_RIGHT) || IsKeyDown(KEY_D)) return SNAKE_RIGHT;
    if (agent < 0 || agent >= env->num_snakes) return SNAKE_UP;
    return env->snakes[agent].dir;
}

#endif
