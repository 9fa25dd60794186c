/* fuzz_lists_csv.c — libFuzzer harness for the generic party-list CSV
 * loader (id,name,aliases,country,list,program): lists_one.h. */
#define LIST_LOADER ckp_lists_load_csv
#define LIST_FILE "in.csv"
#include "lists_one.h"
