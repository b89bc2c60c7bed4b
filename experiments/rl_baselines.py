"""Issue 12: the market maker as a learning agent (mmabm.env) — the baselines a learner has to
beat: the article's policy (the neutral action: the configured strategy untouched) and a
uniformly random policy, on the same seeds, with the environment's speed.

Rewards are those of `--reward` (pnl: the change of the maker's mark-to-market P&L in units
of 10,000 USDT; pnl_inventory; uptime). Runs in this process, one episode after another
(--workers and --dask are not used: the speed reported is one environment's).
    .venv/bin/python experiments/rl_baselines.py --quick
"""
import time

import _common
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mmabm.env import REWARDS, MarketMakerEnv
from mmabm.plots import save
from mmabm.stylized import mean_ci

POLICIES = ("article (neutral action)", "random")


def episode(env: MarketMakerEnv, policy: str, seed: int) -> tuple[dict, list[float]]:
    """One episode; its totals and the cumulative reward after each step."""
    env.reset(seed=seed)
    env.action_space.seed(seed)
    rewards, uptimes, info, done = [], [], {}, False
    start = time.perf_counter()
    while not done:
        action = env.neutral if policy.startswith("article") else env.action_space.sample()
        _, reward, terminated, truncated, info = env.step(action)
        rewards.append(reward)
        uptimes.append(info["own_uptime"])
        done = terminated or truncated
    wall = time.perf_counter() - start
    return ({"policy": policy, "seed": seed, "reward": float(np.sum(rewards)),
             "mm_pnl": info["pnl"], "own_uptime": float(np.mean(uptimes)),
             "price_end": info["mid"], "steps": len(rewards),
             "steps_per_s": len(rewards) / wall},
            np.cumsum(rewards).tolist())


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.25, 2), full=(3, 5),
                           extra=(lambda p: p.add_argument(
                               "--reward", choices=REWARDS, default="pnl",
                               help="the reward (default: pnl)"),))
    env = MarketMakerEnv(_common.base_config(args), reward=args.reward)
    rows, paths = [], {}
    for seed in range(args.seeds):
        for policy in POLICIES:
            row, path = episode(env, policy, seed)
            rows.append(row)
            paths[(policy, seed)] = path
            print(f"  {policy}, seed {seed}: reward {row['reward']:,.2f}, "
                  f"{row['steps_per_s']:.0f} steps/s", flush=True)
    runs = pd.DataFrame(rows)
    runs.to_parquet(args.out / "episodes.parquet")
    table = pd.DataFrame([{"policy": policy, **{
        metric: "{:,.{d}f} [{:,.{d}f}, {:,.{d}f}]".format(
            *mean_ci(part[metric].to_numpy(float)), d=3 if metric in ("own_uptime",
                                                                     "price_end") else 1)
        for metric in ("reward", "mm_pnl", "own_uptime", "price_end", "steps_per_s")}}
        for policy, part in runs.groupby("policy", sort=False)])
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    for k, policy in enumerate(POLICIES):
        for seed in range(args.seeds):
            path = paths[(policy, seed)]
            ax.plot(np.arange(1, len(path) + 1) * env.decision_minutes / 1440, path,
                    color=f"C{k}", lw=1, alpha=0.7, label=policy if seed == 0 else None)
    ax.set(xlabel="days since listing", ylabel=f"cumulative reward ({args.reward})",
           title="The market maker through the RL environment: two baseline policies")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    figure = save(fig, args.out / "rewards.png")
    _common.write_report(args, "Baselines for a learning market maker", [
        f"Reward `{args.reward}`; one step is {env.decision_minutes} minutes; the article "
        f"policy is the neutral action (the run `mmabm run` makes, tests/test_env.py); the "
        f"random policy draws each action uniformly from the action space (seeded). Mean "
        f"[95% CI] over seeds; steps per second of one environment in this process.", "",
        _common.table(table)], [figure])


if __name__ == "__main__":
    main()
