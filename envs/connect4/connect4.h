// Connect Four: 7 columns x 6 rows, two players drop discs; four in a row (horizontal,
// vertical or diagonal) wins, a full board is a draw. Contract: envs/env.h.
//
// Modes (param `mode`):
//   0  one agent against the scripted opponent (or a negamax opponent, `opponent_depth`);
//      the agent moves first, second, or either at random (`agent_first`). One env step
//      is the agent's move followed by the opponent's reply.
//   1  two agents: agent 0 moves first, agent 1 second (self-play, human vs bot). One env
//      step is one move by the player to move; the other agent's action is ignored.
//
// Observation (uint8, 7 x 7, the same for both sides: always from the observer's view):
//   row 0      legal-move mask: 3 for a column the observer may play NOW, else 0 (all 0
//              when it is not the observer's turn or the game is over)
//   rows 1..6  the board, top row first: 0 empty, 1 own disc, 2 opponent's disc
// So one policy plays both sides, the policy (and its ONNX graph) masks illegal columns
// from row 0 itself, and the page knows whose turn it is (ENV_SPEC.turn_based).
//
// Rewards: +1 win, -1 loss, 0 draw, at the end; an illegal move (a full column) is a no-op
// with reward ILLEGAL_PENALTY and the same player still to move. Actions outside [0, 7)
// are a no-op without penalty (the human has not chosen yet). Log.score is the game's
// points (1 win, 0.5 draw, 0 loss), Log.perf is 1 for a win.
// With autoreset off, steps after the end change nothing: the final board, rewards 0 and
// the end flags stay until env_reset.
#ifndef SHIFTPLAY_CONNECT4_H
#define SHIFTPLAY_CONNECT4_H

#include "env.h"

#define C4_COLS 7
#define C4_ROWS 6
#define C4_PITCH 7            // bits per column in a bitboard: 6 cells + 1 empty guard bit
#define C4_ILLEGAL_PENALTY (-0.1f)
#define C4_MAX_DEPTH 6
#define C4_WIN_VALUE 1000

enum { C4_OBS_W = 7, C4_OBS_H = 7, C4_OBS_SIZE = 49 };
enum { C4_EMPTY = 0, C4_OWN = 1, C4_OPPONENT = 2, C4_LEGAL = 3 };
enum { C4_MODE_VS_OPPONENT = 0, C4_MODE_TWO_AGENTS = 1 };

// Bitboards: bit (col * 7 + row), row 0 at the bottom; bit 6 of each column stays 0.
static const uint64_t C4_BOTTOM = 0x0040810204081ull;   // row 0 of every column
static const uint64_t C4_BOARD = 0x0FDFBF7EFDFBFull;    // the 42 cells
static const uint64_t C4_CENTER = 0x1F8000000ull;       // column 3

typedef struct {
    EnvIO io;
    int two_agents;
    int agent_first;       // 0 second, 1 first, 2 random each game
    int opponent_depth;    // 0 scripted, 1..C4_MAX_DEPTH negamax
    int opponent_noise;    // percent of opponent moves played uniformly at random
    int max_steps;
    Rng rng;
    uint64_t baseline_seed;  // env_baseline_action's randomness: a pure function of
                             // this and the board, so asking it changes nothing
    uint64_t discs[2];     // player 0 moves first
    int height[C4_COLS];   // discs in each column
    int mover;             // player to move; -1 once the game is over
    int agent_player;      // mode 0: the agent's player (0 or 1)
    int winner;            // -1 none (yet, or draw)
    uint64_t win_cells;    // every cell of the winning line(s)
    int moves;             // discs on the board
    int steps;
    int last_col;          // last disc played (-1 none), for the renderer
    float episode_return[2];
    // Renderer state (connect4_render.h only; the game logic never reads it).
    int ui_cursor;
    int ui_choice;
    double ui_drop_time;
    int ui_drop_moves;
    int ui_mouse_down;
    int ui_keys_down;    // render header: digit keys 1..7 held at its last call (bits)
} Connect4;

typedef Connect4 Env;

static const char *const C4_ACTIONS[C4_COLS] = {"COLUMN_1", "COLUMN_2", "COLUMN_3",
                                                "COLUMN_4", "COLUMN_5", "COLUMN_6",
                                                "COLUMN_7"};
static const char *const C4_VALUE_NAMES[4] = {"empty", "own", "opponent", "legal"};
static const ObsGroup C4_OBS_GROUPS[] = {
    {"legal_moves", 0, C4_COLS, 0.0f, 3.0f},
    {"board", C4_COLS, C4_ROWS * C4_COLS, 0.0f, 2.0f},
};
static const char *const C4_SIDES[2] = {"first player", "second player"};
static const EnvParam C4_PARAMS[] = {
    {"mode", 0, 0, 1, "0: one agent vs the scripted opponent, 1: two agents"},
    {"agent_first", 2, 0, 2, "mode 0: the agent moves 0 second, 1 first, 2 either at random"},
    {"opponent_depth", 0, 0, C4_MAX_DEPTH,
     "mode 0: 0 scripted opponent, 1-6 negamax search of that depth"},
    {"opponent_noise", 0, 0, 100, "mode 0: percent of opponent moves played at random"},
    {"max_steps", 100, 10, 10000, "steps before the game is truncated"},
};

static const EnvSpec ENV_SPEC = {
    .name = "connect4", .title = "Connect Four", .score_name = "points (win 1, draw 0.5)",
    .description = "Four in a row on a 7x6 board, against a scripted opponent or a second player.",
    .controls = "1-7, or Left/Right then Enter/Space, or click a column, to drop a disc.",
    .max_score = 1.0f, .baseline_min_score = 0.35f,
    .obs_dtype = OBS_UINT8, .obs_height = C4_OBS_H, .obs_width = C4_OBS_W,
    .obs_low = 0.0f, .obs_high = 3.0f, .obs_value_names = C4_VALUE_NAMES, .num_obs_values = 4,
    .obs_groups = C4_OBS_GROUPS, .num_obs_groups = 2,
    .num_actions = C4_COLS, .action_names = C4_ACTIONS, .noop_action = -1,
    .num_params = 5, .params = C4_PARAMS,
    // turns: the legal-move mask is the first C4_COLS values of each observation
    .turn_based = 1, .action_mask_obs = 0,
    .versus_sides = 2, .versus_param = "mode", .side_names = C4_SIDES,
};

static int env_num_agents(const int *params) {
    return params[0] == C4_MODE_TWO_AGENTS ? 2 : 1;
}

static int env_init(Env *env, const int *params) {
    env->two_agents = params[0] == C4_MODE_TWO_AGENTS;
    env->agent_first = params[1];
    env->opponent_depth = params[2];
    env->opponent_noise = params[3];
    env->max_steps = params[4];
    env->ui_choice = -1;
    env->ui_cursor = 3;
    return 0;
}

static void env_close(Env *env) {
    (void)env;
}

// ---- bitboard rules ---------------------------------------------------------------

static int c4_popcount(uint64_t x) {
    return __builtin_popcountll(x);  // gcc and clang (emcc): the same integer everywhere
}

static int c4_column_full(uint64_t filled, int col) {
    return (filled >> (col * C4_PITCH + C4_ROWS - 1)) & 1;
}

// The cell a disc dropped in `col` lands on (as a one-bit mask); `col` must not be full.
static uint64_t c4_landing(uint64_t filled, int col) {
    uint64_t column = 0x3Full << (col * C4_PITCH);
    return (filled + (1ull << (col * C4_PITCH))) & column;
}

// All four-in-a-row cells in `b` (0 if none).
static uint64_t c4_fours(uint64_t b) {
    static const int dirs[4] = {1, C4_PITCH, C4_PITCH - 1, C4_PITCH + 1};
    uint64_t cells = 0;
    for (int i = 0; i < 4; i++) {
        int d = dirs[i];
        uint64_t pairs = b & (b >> d);
        uint64_t starts = pairs & (pairs >> (2 * d));
        cells |= starts | (starts << d) | (starts << (2 * d)) | (starts << (3 * d));
    }
    return cells;
}

// Empty cells (anywhere on the board) that would complete four for `b`.
static uint64_t c4_threats(uint64_t b, uint64_t filled) {
    uint64_t r = (b << 1) & (b << 2) & (b << 3);  // vertical: three below
    static const int dirs[3] = {C4_PITCH, C4_PITCH - 1, C4_PITCH + 1};
    for (int i = 0; i < 3; i++) {
        int d = dirs[i];
        uint64_t p = (b << d) & (b << (2 * d));
        r |= p & (b << (3 * d));
        r |= p & (b >> d);
        p = (b >> d) & (b >> (2 * d));
        r |= p & (b << d);
        r |= p & (b >> (3 * d));
    }
    return r & C4_BOARD & ~filled;
}

// Columns where `b` would win at once (bit col set).
static int c4_winning_columns(uint64_t b, uint64_t filled) {
    uint64_t playable = (filled + C4_BOTTOM) & C4_BOARD;
    uint64_t hits = c4_threats(b, filled) & playable;
    int cols = 0;
    for (int c = 0; c < C4_COLS; c++) {
        if (hits & (0x3Full << (c * C4_PITCH))) cols |= 1 << c;
    }
    return cols;
}

static int c4_legal_columns(uint64_t filled) {
    int cols = 0;
    for (int c = 0; c < C4_COLS; c++) {
        if (!c4_column_full(filled, c)) cols |= 1 << c;
    }
    return cols;
}

// ---- opponents --------------------------------------------------------------------

// A random column among `cols` (a non-empty bit set), weighted toward the center.
static int c4_pick_central(Rng *rng, int cols) {
    static const int weight[C4_COLS] = {1, 2, 3, 4, 3, 2, 1};
    int total = 0;
    for (int c = 0; c < C4_COLS; c++) {
        if (cols & (1 << c)) total += weight[c];
    }
    int r = rng_int(rng, total);
    for (int c = 0; c < C4_COLS; c++) {
        if (!(cols & (1 << c))) continue;
        r -= weight[c];
        if (r < 0) return c;
    }
    return 0;
}

// A uniformly random column among `cols` (non-empty).
static int c4_pick_any(Rng *rng, int cols) {
    int n = c4_popcount((uint64_t)cols);
    int k = rng_int(rng, n);
    for (int c = 0; c < C4_COLS; c++) {
        if (!(cols & (1 << c))) continue;
        if (k-- == 0) return c;
    }
    return 0;
}

// Scripted player: win if it can, else block the opponent's win, else a central column.
static int c4_scripted_move(Env *env, int player, Rng *rng) {
    uint64_t filled = env->discs[0] | env->discs[1];
    int legal = c4_legal_columns(filled);
    int win = c4_winning_columns(env->discs[player], filled);
    if (win) return c4_pick_central(rng, win);
    int block = c4_winning_columns(env->discs[1 - player], filled);
    if (block) return c4_pick_central(rng, block);
    return c4_pick_central(rng, legal);
}

// Static value of a position for the player owning `own`: open four-threats and
// center discs.
static int c4_evaluate(uint64_t own, uint64_t other, uint64_t filled) {
    int threats = c4_popcount(c4_threats(own, filled)) - c4_popcount(c4_threats(other, filled));
    int center = c4_popcount(own & C4_CENTER) - c4_popcount(other & C4_CENTER);
    return 4 * threats + 2 * center;
}

// Negamax with alpha-beta for the player owning `own` (to move). Wins found sooner score
// higher. Column order: center first.
static int c4_negamax(uint64_t own, uint64_t other, int depth, int alpha, int beta) {
    static const int order[C4_COLS] = {3, 2, 4, 1, 5, 0, 6};
    uint64_t filled = own | other;
    if (filled == C4_BOARD) return 0;
    uint64_t playable = (filled + C4_BOTTOM) & C4_BOARD;
    if (c4_threats(own, filled) & playable) return C4_WIN_VALUE + depth;
    if (depth == 0) return c4_evaluate(own, other, filled);
    int best = -C4_WIN_VALUE - C4_MAX_DEPTH - 1;
    for (int i = 0; i < C4_COLS; i++) {
        int c = order[i];
        if (c4_column_full(filled, c)) continue;
        uint64_t next = own | c4_landing(filled, c);
        int v = -c4_negamax(other, next, depth - 1, -beta, -alpha);
        if (v > best) best = v;
        if (v > alpha) alpha = v;
        if (alpha >= beta) break;
    }
    return best;
}

// Negamax player of `depth` plies: a random move among the best-valued ones.
static int c4_search_move(Env *env, int player, int depth) {
    uint64_t own = env->discs[player], other = env->discs[1 - player];
    uint64_t filled = own | other;
    int win = c4_winning_columns(own, filled);
    if (win) return c4_pick_central(&env->rng, win);
    int best = -C4_WIN_VALUE - C4_MAX_DEPTH - 1;
    int best_cols = 0;
    for (int c = 0; c < C4_COLS; c++) {
        if (c4_column_full(filled, c)) continue;
        uint64_t next = own | c4_landing(filled, c);
        int v = -c4_negamax(other, next, depth - 1, -C4_WIN_VALUE - C4_MAX_DEPTH - 1,
                            C4_WIN_VALUE + C4_MAX_DEPTH + 1);
        if (v > best) {
            best = v;
            best_cols = 0;
        }
        if (v == best) best_cols |= 1 << c;
    }
    return c4_pick_any(&env->rng, best_cols);
}

static int c4_opponent_move(Env *env, int player) {
    uint64_t filled = env->discs[0] | env->discs[1];
    if (env->opponent_noise > 0 && rng_int(&env->rng, 100) < env->opponent_noise) {
        return c4_pick_any(&env->rng, c4_legal_columns(filled));
    }
    if (env->opponent_depth > 0) return c4_search_move(env, player, env->opponent_depth);
    return c4_scripted_move(env, player, &env->rng);
}

// ---- game flow --------------------------------------------------------------------

static void c4_write_obs(Env *env) {
    uint8_t *obs = (uint8_t *)env->io.observations;
    int agents = env->two_agents ? 2 : 1;
    uint64_t filled = env->discs[0] | env->discs[1];
    for (int a = 0; a < agents; a++) {
        int me = env->two_agents ? a : env->agent_player;
        uint8_t *o = obs + a * C4_OBS_SIZE;
        for (int c = 0; c < C4_COLS; c++) {
            int legal = env->mover == me && !c4_column_full(filled, c);
            o[c] = legal ? C4_LEGAL : C4_EMPTY;
        }
        for (int r = 0; r < C4_ROWS; r++) {
            uint8_t *row = o + C4_COLS * (1 + r);
            int bit_row = C4_ROWS - 1 - r;
            for (int c = 0; c < C4_COLS; c++) {
                int bit = c * C4_PITCH + bit_row;
                uint8_t v = C4_EMPTY;
                if ((env->discs[me] >> bit) & 1) v = C4_OWN;
                if ((env->discs[1 - me] >> bit) & 1) v = C4_OPPONENT;
                row[c] = v;
            }
        }
    }
}

// Drops a disc for `player` in a non-full column `col`; ends the game on a win or draw.
static void c4_play(Env *env, int player, int col) {
    uint64_t filled = env->discs[0] | env->discs[1];
    env->discs[player] |= c4_landing(filled, col);
    env->height[col] += 1;
    env->moves += 1;
    env->last_col = col;
    uint64_t fours = c4_fours(env->discs[player]);
    if (fours) {
        env->winner = player;
        env->win_cells = fours;
        env->mover = -1;
    } else if (env->moves == C4_ROWS * C4_COLS) {
        env->mover = -1;
    } else {
        env->mover = 1 - player;
    }
}

static void c4_new_game(Env *env) {
    env->discs[0] = 0;
    env->discs[1] = 0;
    for (int c = 0; c < C4_COLS; c++) env->height[c] = 0;
    env->mover = 0;
    env->winner = -1;
    env->win_cells = 0;
    env->moves = 0;
    env->steps = 0;
    env->last_col = -1;
    env->episode_return[0] = 0.0f;
    env->episode_return[1] = 0.0f;
    env->agent_player = 0;
    if (!env->two_agents) {
        int first = env->agent_first;
        if (first == 2) first = rng_int(&env->rng, 2);
        env->agent_player = first ? 0 : 1;
        if (env->agent_player == 1) c4_play(env, 0, c4_opponent_move(env, 0));
    }
}

static void env_reset(Env *env, uint64_t seed) {
    int agents = env->two_agents ? 2 : 1;
    rng_seed(&env->rng, seed);
    env->baseline_seed = seed ^ 0x5DEECE66Dull;
    c4_new_game(env);
    for (int a = 0; a < agents; a++) {
        env->io.rewards[a] = 0.0f;
        env->io.terminals[a] = 0;
        env->io.truncations[a] = 0;
    }
    c4_write_obs(env);
}

// Ends the episode of every agent: rewards, flags, logs; then autoreset.
static void c4_end_game(Env *env, int truncated) {
    int agents = env->two_agents ? 2 : 1;
    for (int a = 0; a < agents; a++) {
        int me = env->two_agents ? a : env->agent_player;
        float result = 0.0f, points = 0.5f;
        if (env->winner == me) result = 1.0f, points = 1.0f;
        else if (env->winner >= 0) result = -1.0f, points = 0.0f;
        if (truncated) points = 0.0f;
        env->io.rewards[a] += result;
        env->episode_return[a] += result;
        log_add(&env->io.log[a], env->episode_return[a], (float)env->steps, points,
                result > 0.0f ? 1.0f : 0.0f);
        if (truncated) env->io.truncations[a] = 1;
        else env->io.terminals[a] = 1;
    }
    env->mover = -1;
    if (env->io.autoreset) c4_new_game(env);
}

static void env_step(Env *env) {
    int agents = env->two_agents ? 2 : 1;
    if (env->mover < 0) {
        // Game over, no autoreset: keep the final state.
        for (int a = 0; a < agents; a++) env->io.rewards[a] = 0.0f;
        return;
    }
    for (int a = 0; a < agents; a++) {
        env->io.rewards[a] = 0.0f;
        env->io.terminals[a] = 0;
        env->io.truncations[a] = 0;
    }
    int player = env->mover;
    int agent = env->two_agents ? player : 0;
    int action = env->io.actions[agent];
    env->steps += 1;
    if (action >= 0 && action < C4_COLS) {
        uint64_t filled = env->discs[0] | env->discs[1];
        if (c4_column_full(filled, action)) {
            env->io.rewards[agent] = C4_ILLEGAL_PENALTY;
            env->episode_return[agent] += C4_ILLEGAL_PENALTY;
        } else {
            c4_play(env, player, action);
            if (!env->two_agents && env->mover >= 0) {
                c4_play(env, env->mover, c4_opponent_move(env, env->mover));
            }
        }
    }
    if (env->mover < 0) {
        c4_end_game(env, 0);
    } else if (env->steps >= env->max_steps) {
        c4_end_game(env, 1);
    }
    c4_write_obs(env);
}

// Scripted player (the same rules as the scripted opponent) for the agent's side; an
// agent that is not to move gets column 0 (ignored).
static int env_baseline_action(Env *env, int agent) {
    int me = env->two_agents ? agent : env->agent_player;
    if (env->mover != me) return 0;
    Rng rng;
    rng_seed(&rng, env->baseline_seed ^ (env->discs[0] * 0x9E3779B97F4A7C15ull) ^ env->discs[1]);
    return c4_scripted_move(env, me, &rng);
}

#endif
