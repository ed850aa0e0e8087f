/* Deterministic pseudo-random numbers for the network simulator (loss, duplication, reordering,
 * jitter, NAT port choice). Not cryptographic: engines draw their own randomness from
 * OpenSSL. splitmix64 (Steele, Lea, Flood 2014) seeds xoshiro256** (Blackman, Vigna 2018),
 * both public-domain algorithms described in their papers. */
#ifndef DSMIP6_SIM_RNG_H
#define DSMIP6_SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_rng {
	uint64_t s[4];
} sim_rng;

/* Seed from a 64-bit value; streams seeded with different `stream` values are independent, so
 * adding a link does not change the draws of the others. */
void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(sim_rng *r);
/* Uniform in [0, n) (n > 0), without modulo bias. */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);
/* True with probability ppm / 1,000,000. */
bool sim_rng_ppm(sim_rng *r, uint32_t ppm);
/* 64-bit FNV-1a of a string: derives stream numbers from names. */
uint64_t sim_hash_str(const char *s);

#endif
