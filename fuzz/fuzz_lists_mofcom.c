/* fuzz_lists_mofcom.c — libFuzzer harness for the MOFCOM list loader
 * (id,lists,notice,…,name_cn,name_en): lists_one.h. */
#define LIST_LOADER ckp_lists_load_mofcom
#define LIST_FILE "in.mofcom"
#include "lists_one.h"
