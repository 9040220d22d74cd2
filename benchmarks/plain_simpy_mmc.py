"""A hand-written plain SimPy M/M/c model: what a careful SimPy user writes.

5 servers (`simpy.Resource(env, 5)`), Poisson arrivals at 4.5 per minute, exponential
service with mean 1 minute (utilisation 0.9), exactly 400,000 customers, one process per
customer, every wait kept in a list. Prints the number of customers served and the mean
wait. Used by benchmarks/run.py as the baseline that orgsim is compared against.

    python benchmarks/plain_simpy_mmc.py [--customers N] [--seed S]
"""

from __future__ import annotations

import argparse
import random

import simpy

SERVERS = 5
ARRIVAL_RATE = 4.5  # per minute
SERVICE_MEAN = 1.0  # minutes


def customer(env: simpy.Environment, res: simpy.Resource, rng: random.Random,
             waits: list[float]):
    arrived = env.now
    with res.request() as req:
        yield req
        waits.append(env.now - arrived)
        yield env.timeout(rng.expovariate(1.0 / SERVICE_MEAN))


def source(env: simpy.Environment, res: simpy.Resource, rng: random.Random,
           waits: list[float], customers: int):
    for _ in range(customers):
        yield env.timeout(rng.expovariate(ARRIVAL_RATE))
        env.process(customer(env, res, rng, waits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    env = simpy.Environment()
    res = simpy.Resource(env, SERVERS)
    waits: list[float] = []
    env.process(source(env, res, rng, waits, args.customers))
    env.run()
    print(f"customers {len(waits)}  mean wait {sum(waits) / len(waits):.4f} min")


if __name__ == "__main__":
    main()
