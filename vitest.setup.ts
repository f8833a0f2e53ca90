// Every property test is seeded: FC_SEED=<n> reproduces a run; fast-check prints the seed and the
// shrunk counterexample of a failure.
import fc from 'fast-check';

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261126;
fc.configureGlobal({ seed, numRuns: Number(process.env.FC_RUNS ?? 40), endOnFailure: false });
