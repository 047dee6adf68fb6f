#ifndef CSPAWN_H
#define CSPAWN_H

#include <spawn.h>

// glibc's GNU extensions for posix_spawn, which Swift's Glibc module does not declare (they
// need _GNU_SOURCE): spawn.c defines it and forwards.

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes every descriptor from `from` up.
int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// posix_spawn_file_actions_addchdir_np (glibc 2.29): the child starts in `path`.
int cspawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// pipe2(ends, O_CLOEXEC): both ends close-on-exec from the start. 0, or -1 with errno.
int cspawn_pipe_cloexec(int ends[2]);

#endif
