// Connect Four drawing and human controls (raylib). The glue calls env_render between
// BeginDrawing and EndDrawing, and env_human_action once per step for the human's agent.
// Discs drop with an animation timed by GetTime(), so it is smooth whenever the page
// renders every frame. Uses only raylib API that exists in 3.5 and 5.x.
#ifndef SHIFTPLAY_CONNECT4_RENDER_H
#define SHIFTPLAY_CONNECT4_RENDER_H

#include "raylib.h"
#include "connect4.h"

// One move (two discs against the scripted opponent) every half second when the bot plays.
static const int RENDER_STEPS_PER_SECOND = 2;

static const int RENDER_WIDTH = 672;
static const int RENDER_HEIGHT = 672;
static const int C4_CELL = 88;      // pixels per cell
static const int C4_X0 = 28;        // board's left edge
static const int C4_Y0 = 120;       // board's top edge (above: whose turn, the cursor)
static const double C4_DROP_SECONDS = 0.35;

static const Color C4_BG = {14, 17, 28, 255};
static const Color C4_FRAME = {36, 74, 168, 255};
static const Color C4_HOLE = {10, 12, 20, 255};
static const Color C4_PLAYER_COLORS[2] = {{236, 72, 72, 255}, {250, 204, 21, 255}};
static const Color C4_TEXT = {200, 206, 224, 255};
static const Color C4_WIN = {255, 255, 255, 255};

static int c4_cell_center_x(int col) {
    return C4_X0 + col * C4_CELL + C4_CELL / 2;
}

static int c4_cell_center_y(int row_from_top) {
    return C4_Y0 + row_from_top * C4_CELL + C4_CELL / 2;
}

// The column under the mouse, or -1.
static int c4_mouse_column(void) {
    int x = GetMouseX() - C4_X0;
    int y = GetMouseY();
    if (x < 0 || x >= C4_COLS * C4_CELL || y < 0 || y >= RENDER_HEIGHT) return -1;
    return x / C4_CELL;
}

// The player the human is (or would be) at this moment: the one to move.
static int c4_view_player(Env *env, int highlight_agent) {
    if (env->two_agents) return highlight_agent == 1 ? 1 : 0;
    return env->agent_player;
}

static void c4_draw_disc(int x, int y, int radius, int player) {
    DrawCircle(x, y, (float)radius, C4_PLAYER_COLORS[player]);
    DrawCircleLines(x, y, (float)radius - 6.0f, Fade(BLACK, 0.25f));
}

// Which disc is still falling: the newest move(s) since the last game change.
static void c4_note_moves(Env *env) {
    if (env->moves != env->ui_drop_moves) {
        if (env->moves < env->ui_drop_moves || env->moves > env->ui_drop_moves + 2) {
            env->ui_drop_time = GetTime() - C4_DROP_SECONDS;  // new game / jump: no anim
        } else {
            env->ui_drop_time = GetTime();
        }
        env->ui_drop_moves = env->moves;
    }
}

// How far (0..1) the top disc of `col` has fallen, 1 when settled.
static float c4_drop_progress(Env *env, int col, int row_from_top) {
    if (col != env->last_col || row_from_top != C4_ROWS - env->height[col]) return 1.0f;
    double t = (GetTime() - env->ui_drop_time) / C4_DROP_SECONDS;
    if (t >= 1.0) return 1.0f;
    if (t <= 0.0) return 0.0f;
    return (float)(t * t);  // accelerating fall
}

static void c4_draw_board(Env *env) {
    DrawRectangle(C4_X0 - 10, C4_Y0 - 10, C4_COLS * C4_CELL + 20, C4_ROWS * C4_CELL + 20,
                  C4_FRAME);
    int radius = C4_CELL / 2 - 8;
    for (int r = 0; r < C4_ROWS; r++) {
        int bit_row = C4_ROWS - 1 - r;
        for (int c = 0; c < C4_COLS; c++) {
            int x = c4_cell_center_x(c), y = c4_cell_center_y(r);
            DrawCircle(x, y, (float)radius, C4_HOLE);
            uint64_t bit = 1ull << (c * C4_PITCH + bit_row);
            int player = (env->discs[0] & bit) ? 0 : (env->discs[1] & bit) ? 1 : -1;
            if (player < 0) continue;
            float p = c4_drop_progress(env, c, r);
            int top = C4_Y0 - C4_CELL / 2;
            int yy = top + (int)((float)(y - top) * p);
            c4_draw_disc(x, yy, radius, player);
            if (p >= 1.0f && (env->win_cells & bit)) {
                DrawCircleLines(x, y, (float)radius + 3.0f, C4_WIN);
                DrawCircleLines(x, y, (float)radius + 4.0f, C4_WIN);
                DrawCircle(x, y, 8.0f, C4_WIN);
            }
        }
    }
}

static void c4_draw_status(Env *env, int highlight_agent) {
    const char *text;
    Color color = C4_TEXT;
    if (env->mover < 0) {
        if (env->winner >= 0) {
            text = env->winner == 0 ? "Red wins" : "Yellow wins";
            color = C4_PLAYER_COLORS[env->winner];
        } else {
            text = "Draw";
        }
    } else {
        text = env->mover == 0 ? "Red to move" : "Yellow to move";
        color = C4_PLAYER_COLORS[env->mover];
    }
    DrawText(text, C4_X0, 16, 32, color);
    const char *who = env->two_agents ? "two players" : (env->agent_player == 0
                                                         ? "agent: red (first)"
                                                         : "agent: yellow (second)");
    DrawText(who, RENDER_WIDTH - C4_X0 - MeasureText(who, 20), 24, 20, C4_TEXT);
    (void)highlight_agent;
}

// The cursor disc above the board while the highlighted side may move.
static void c4_draw_cursor(Env *env, int highlight_agent) {
    int me = c4_view_player(env, highlight_agent);
    if (highlight_agent < 0 || env->mover != me) return;
    int col = c4_mouse_column();
    if (col < 0) col = env->ui_cursor;
    uint64_t filled = env->discs[0] | env->discs[1];
    Color color = C4_PLAYER_COLORS[me];
    if (c4_column_full(filled, col)) color = Fade(color, 0.25f);
    DrawCircle(c4_cell_center_x(col), C4_Y0 - 48, (float)(C4_CELL / 2 - 14), color);
}

static void env_render(Env *env, int highlight_agent) {
    ClearBackground(C4_BG);
    c4_note_moves(env);
    c4_draw_status(env, highlight_agent);
    c4_draw_cursor(env, highlight_agent);
    c4_draw_board(env);
    DrawText("1-7 / click: drop   Left/Right + Enter", C4_X0, RENDER_HEIGHT - 28, 20,
             Fade(C4_TEXT, 0.6f));
}

// Keys 1-7 drop in that column; Left/Right move the cursor and Enter/Space drop there;
// a click or tap drops in the column under it. -1 (no move) until the human chooses.
static int env_human_action(Env *env, int agent) {
    (void)agent;
    int choice = -1;
    for (int key = GetKeyPressed(); key != 0; key = GetKeyPressed()) {
        if (key >= KEY_ONE && key <= KEY_SEVEN) choice = key - KEY_ONE;
        if (key == KEY_LEFT && env->ui_cursor > 0) env->ui_cursor -= 1;
        if (key == KEY_RIGHT && env->ui_cursor < C4_COLS - 1) env->ui_cursor += 1;
        if (key == KEY_ENTER || key == KEY_SPACE || key == KEY_KP_ENTER) choice = env->ui_cursor;
    }
    // A digit held since the last call counts too: raylib keeps a press in its queue only
    // until the next frame, and the page may call this less often than it renders.
    for (int col = 0; col < C4_COLS; col++) {
        int bit = 1 << col;
        int held = IsKeyDown(KEY_ONE + col);
        if (held && !(env->ui_keys_down & bit)) choice = col;
        env->ui_keys_down = held ? (env->ui_keys_down | bit) : (env->ui_keys_down & ~bit);
    }
    // A press since the last call (the page may call this less often than it renders).
    int down = IsMouseButtonDown(MOUSE_LEFT_BUTTON);
    if (IsMouseButtonPressed(MOUSE_LEFT_BUTTON) || (down && !env->ui_mouse_down)) {
        int col = c4_mouse_column();
        if (col >= 0 && GetMouseY() >= C4_Y0 - C4_CELL) choice = col;
    }
    env->ui_mouse_down = down;
    if (choice >= 0) env->ui_cursor = choice;
    return choice;
}

#endif
