/* fuzz_lists_ftm.c — libFuzzer harness for the OpenSanctions FollowTheMoney
 * JSON lines loader (entities and ADD/MOD/DEL delta ops): lists_one.h. */
#define LIST_LOADER ckp_lists_load_ftm
#define LIST_FILE "in.ftm"
#include "lists_one.h"
