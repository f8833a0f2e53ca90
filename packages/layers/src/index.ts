export { writeFileAtomic } from './io/atomic-write.ts';
