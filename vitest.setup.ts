// Every property test is seeded: FC_SEED=<n> reproduces a run; fast-check prints the seed and the
// shrunk counterexample of a failure.
import fc from 'fast-check';
import { setUninitializedFill } from '@convgrad/core/testing';

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261126;
fc.configureGlobal({ seed, numRuns: Number(process.env.FC_RUNS ?? 40), endOnFailure: false });
// Arrays that kernels are meant to overwrite whole start as NaN in tests (not as leftover memory), so an
// element a kernel leaves unwritten fails the test that reads it.
setUninitializedFill('nan');
