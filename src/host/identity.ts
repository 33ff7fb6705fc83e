// Who this process runs as: the one place that decides "are we root" (Context.isRoot carries it).
export const processIsRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;
