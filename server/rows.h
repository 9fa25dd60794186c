/* rows.h — the rows of an API answer as the writer's row sink hands them
 * over: written straight into the response, or kept as jansson objects;
 * no JSON Lines text written and read back (server.h lists the files). */
#ifndef CHOKEPOINT_SERVER_ROWS_H
#define CHOKEPOINT_SERVER_ROWS_H

#include <stddef.h>
#include <stdio.h>

#include "chokepoint/output.h"
#include "chokepoint/verb.h"

/* Run v (args checked as from the server when from_server) and write
 * `"rows":[` its rows `]` to o: each row one JSON object after a newline,
 * byte for byte the verb's JSON Lines.  More than `limit` bytes of rows
 * stop the verb with CKP_ELIMIT ("narrow the query").  Returns the run's
 * status with err filled; o then holds a cut answer the caller drops. */
ckp_status srv_rows_write(ckp_env *env, const ckp_verb *v, const ckp_args *args, int from_server,
                          size_t limit, FILE *o, ckp_error *err);

/* A ckp_row_fn for ckp_writer_new_rows: the row as a jansson object
 * appended to ctx (a json_t array).  CKP_ENOMEM when it cannot be. */
ckp_status srv_rows_keep(void *ctx, const ckp_row *row, ckp_error *err);

#endif
