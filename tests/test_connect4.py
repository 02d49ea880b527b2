"""Connect Four rules: wins in every direction, draws, illegal moves, the mover's view."""
import numpy as np
import pytest

import envs

ROWS, COLS = 6, 7
OWN, OPP, LEGAL = 1, 2, 3


def two_player(seed=0, **params):
    return envs.make("connect4", seed=seed, autoreset=False, mode=1, **params)


def board(env, agent):
    """The board (6 x 7, top row first) as `agent` sees it."""
    return env.observations[agent].reshape(7, 7)[1:]


def mask(env, agent):
    return env.observations[agent, :COLS]


def play(env, columns):
    """Plays columns alternately (agent 0 first); the idle agent sends column 0."""
    for k, col in enumerate(columns):
        mover = k % 2
        assert mask(env, mover)[col] == LEGAL, (k, col)
        actions = np.zeros(2, dtype=np.int32)
        actions[mover] = col
        env.step(actions)


WINS = {
    "vertical": [3, 0, 3, 0, 3, 0, 3],
    "horizontal": [0, 0, 1, 1, 2, 2, 3],
    "diagonal_up": [0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3],     # / from (0,0) to (3,3)
    "diagonal_down": [6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3],   # \ from (6,0) to (3,3)
}


@pytest.mark.parametrize("direction", sorted(WINS))
def test_four_in_a_row_wins(direction):
    env = two_player()
    columns = WINS[direction]
    play(env, columns[:-1])
    assert not env.terminals.any()
    play_last = np.zeros(2, dtype=np.int32)
    play_last[0] = columns[-1]
    env.step(play_last)
    assert env.terminals.all() and not env.truncations.any()
    assert env.rewards.tolist() == [1.0, -1.0]
    assert (mask(env, 0) == 0).all() and (mask(env, 1) == 0).all()
    logs = env.take_agent_logs([0, 1])
    assert logs["n"].tolist() == [1, 1]
    assert logs["score"].tolist() == [1.0, 0.0] and logs["perf"].tolist() == [1.0, 0.0]


def test_second_player_can_win():
    env = two_player()
    play(env, [0, 3, 1, 3, 0, 3, 1, 3])
    assert env.terminals.all() and env.rewards.tolist() == [-1.0, 1.0]
    assert env.take_agent_logs([0, 1])["perf"].tolist() == [0.0, 1.0]


def test_three_in_a_row_and_split_lines_do_not_win():
    env = two_player()
    play(env, [0, 0, 1, 1, 3, 3, 6, 6, 5])   # own discs in 0,1,3,5,6 on the bottom row
    assert not env.terminals.any()


def draw_sequence():
    """A full board without four in a row (columns in pairs, shifted every two)."""
    order = [0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 2, 3, 2, 3, 2, 3, 3, 2, 3, 2, 3, 2,
             4, 5, 4, 5, 4, 5, 5, 4, 5, 4, 5, 4, 6, 6, 6, 6, 6, 6]
    return order


def test_full_board_is_a_draw():
    env = two_player()
    seq = draw_sequence()
    play(env, seq[:-1])
    assert not env.terminals.any()
    last = np.zeros(2, dtype=np.int32)
    last[1] = seq[-1]
    env.step(last)
    assert env.terminals.all() and env.rewards.tolist() == [0.0, 0.0]
    logs = env.take_agent_logs([0, 1])
    assert logs["score"].tolist() == [0.5, 0.5] and logs["perf"].tolist() == [0.0, 0.0]
    assert (board(env, 0) != 0).all()


def test_illegal_move_is_a_penalized_noop():
    env = two_player()
    play(env, [2, 2, 2, 2, 2, 2])              # column 2 is full, agent 0 to move
    assert mask(env, 0)[2] == 0 and mask(env, 0).sum() == 6 * LEGAL
    before = env.observations.copy()
    env.step(np.array([2, 0], dtype=np.int32))
    assert env.rewards[0] == pytest.approx(-0.1) and env.rewards[1] == 0.0
    assert np.array_equal(env.observations, before), "an illegal move changes nothing"
    assert not env.terminals.any()
    # The idle agent's action is ignored, illegal or not.
    env.step(np.array([4, 2], dtype=np.int32))
    assert board(env, 0)[-1, 4] == OWN and env.rewards.tolist() == [0.0, 0.0]


def test_mask_marks_whose_turn_it_is():
    env = two_player()
    assert (mask(env, 0) == LEGAL).all() and (mask(env, 1) == 0).all()
    play(env, [3])
    assert (mask(env, 0) == 0).all() and (mask(env, 1) == LEGAL).all()


def test_each_side_sees_the_board_from_its_own_view():
    env = two_player()
    play(env, [3, 4, 3])
    b0, b1 = board(env, 0), board(env, 1)
    assert b0[-1, 3] == OWN and b0[-2, 3] == OWN and b0[-1, 4] == OPP
    assert b1[-1, 3] == OPP and b1[-2, 3] == OPP and b1[-1, 4] == OWN
    swapped = np.where(b0 == OWN, OPP, np.where(b0 == OPP, OWN, 0))
    assert np.array_equal(swapped, b1)


def test_steps_after_the_end_keep_the_final_state_without_autoreset():
    env = two_player()
    play(env, WINS["vertical"])
    final = env.observations.copy()
    assert env.log()["n"] == 2
    env.step(np.array([1, 1], dtype=np.int32))
    assert np.array_equal(env.observations, final) and env.terminals.all()
    assert env.rewards.tolist() == [0.0, 0.0] and env.log() == {}


def test_truncation_at_max_steps():
    env = envs.make("connect4", seed=0, autoreset=False, mode=1, max_steps=10)
    for _ in range(10):
        env.step(np.array([3, 3], dtype=np.int32))   # column 3 fills, then illegal no-ops
    assert env.truncations.all() and not env.terminals.any()


def test_single_agent_second_player_starts_after_the_opponent():
    env = envs.make("connect4", seed=0, autoreset=False, agent_first=0)
    assert (board(env, 0) == OPP).sum() == 1 and (board(env, 0) == OWN).sum() == 0
    env = envs.make("connect4", seed=0, autoreset=False, agent_first=1)
    assert (board(env, 0) != 0).sum() == 0
    env.step(np.array([3], dtype=np.int32))           # agent, then the opponent's reply
    assert (board(env, 0) == OWN).sum() == 1 and (board(env, 0) == OPP).sum() == 1


def test_scripted_opponent_wins_and_blocks():
    # Agent first: stacks column 0; the opponent must block the fourth disc.
    env = envs.make("connect4", seed=1, autoreset=False, agent_first=1)
    for _ in range(3):
        env.step(np.array([0], dtype=np.int32))
        if env.terminals[0]:
            break
    b = board(env, 0)
    assert b[-4, 0] == OPP or env.terminals[0], "the opponent blocks a vertical three"
    # The opponent takes a win when it has one: agent plays far from its discs.
    for seed in range(20):
        env = envs.make("connect4", seed=seed, autoreset=False, agent_first=1)
        for col in [6, 6, 6, 0, 0, 0, 6, 0, 6]:
            if env.terminals[0] or mask(env, 0)[col] != LEGAL:
                break
            env.step(np.array([col], dtype=np.int32))
        if env.terminals[0] and env.rewards[0] == -1.0:
            break
    else:
        raise AssertionError("the scripted opponent never won against a passive agent")


@pytest.mark.parametrize("depth", [0, 2, 4])
def test_opponents_beat_random_play(depth):
    env = envs.make("connect4", num_envs=64, seed=3, opponent_depth=depth)
    rng = np.random.default_rng(0)
    for _ in range(400):
        legal = env.observations[:, :COLS] != 0
        env.step(np.argmax(rng.random((64, COLS)) * legal, axis=1).astype(np.int32))
    log = env.log()
    assert log["n"] >= 64 and log["perf"] < 0.15, log


def test_deeper_search_beats_the_script():
    """Depth-4 negamax (agent side, via baseline=script on the other side) wins more."""
    wins = {}
    for depth in (0, 4):
        env = envs.make("connect4", num_envs=64, seed=5, opponent_depth=depth)
        for _ in range(300):
            env.step(env.baseline_actions())
        wins[depth] = 1.0 - env.log()["perf"]
    assert wins[4] > wins[0] + 0.1, wins
