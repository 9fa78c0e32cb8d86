#ifndef KILN_SYSTEM_H
#define KILN_SYSTEM_H

/// Asks the kernel to send `signal` to this process when its parent dies (Linux prctl, which Swift cannot
/// call directly because it is variadic). Returns 0 on success.
int kiln_set_parent_death_signal(int signal);

#endif
