# store verify / recover, and a damaged CURRENT never wipes the store
# (issue 12): an empty, garbage or missing CURRENT is refused by ingest
# (naming the file) and no intact generation is deleted; `store verify`
# says which generations are intact; `store recover` points CURRENT at the
# newest intact one.  Two generations of the shipped flows: 6,442 rows
# (monthly), then 6,522 (with the graphite annual file); cobalt adds 44.

$ chokepoint ingest -q --store sv-st --source m $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint info --store sv-st --format csv | cut -d, -f1 | tail -1 && chokepoint ingest -q --store sv-st $DATA/flows/comtrade-annual/graphite_trade_data.csv && chokepoint info --store sv-st --format csv | cut -d, -f1 | tail -1 && cp -a sv-st sv-base && ls sv-st | grep gen-
> 6442
> 6522
> gen-000001
> gen-000002

$ chokepoint store verify --store sv-st
> store sv-st
> CURRENT      gen-000002
> gen-000001   intact, 6442 rows
> gen-000002   intact, 6522 rows (current)
> ok: the current generation is intact

# an empty CURRENT: ingest refuses (exit 1, the file named), every generation stays
$ : > sv-st/CURRENT && chokepoint ingest -q --store sv-st $DATA/flows/comtrade-annual/cobalt_trade_data.csv
! ^chokepoint: ingest: sv-st/CURRENT: .*CURRENT file is empty; gen-000002 is intact \(6522 rows\); refusing
? 1

$ ls sv-st | grep gen- && wc -c < sv-st/CURRENT
> gen-000001
> gen-000002
> 0

$ chokepoint info --store sv-st
! sv-st/CURRENT: .*empty.*store recover
? 1

$ chokepoint store verify --store sv-st
> store sv-st
> CURRENT      DAMAGED: is empty
> gen-000001   intact, 6442 rows
> gen-000002   intact, 6522 rows
! verify: sv-st/CURRENT is empty; the newest intact generation is gen-000002
? 1

$ chokepoint store recover --store sv-st && chokepoint info --store sv-st --format csv | cut -d, -f1,10 | tail -1 && cat sv-st/CURRENT
> store sv-st: CURRENT was damaged; it now names gen-000002, the newest intact generation (6522 rows)
> 6522,2
> gen-000002

$ chokepoint store recover --store sv-st
> store sv-st: CURRENT already names an intact generation, gen-000002 (6522 rows); nothing changed

# garbage in CURRENT, and a name with junk after it
$ printf 'garbage\n' > sv-st/CURRENT && chokepoint ingest -q --store sv-st $DATA/flows/comtrade-annual/cobalt_trade_data.csv
! sv-st/CURRENT: .*does not name a generation \(it holds 'garbage\\x0a'\).*gen-000002 is intact
? 1

$ printf 'gen-000002junk\n' > sv-st/CURRENT && chokepoint store verify --store sv-st >/dev/null
! CURRENT does not name a generation
? 1

# a missing CURRENT while generations are present
$ rm sv-st/CURRENT && chokepoint ingest -q --store sv-st $DATA/flows/comtrade-annual/cobalt_trade_data.csv
! sv-st/CURRENT: .*is missing; gen-000002 is intact
? 1

$ chokepoint store recover --store sv-st && chokepoint ingest -q --store sv-st $DATA/flows/comtrade-annual/cobalt_trade_data.csv && chokepoint store verify --store sv-st | tail -3
> store sv-st: CURRENT was missing; it now names gen-000002, the newest intact generation (6522 rows)
> gen-000002   intact, 6522 rows
> gen-000003   intact, 6608 rows (current)
> ok: the current generation is intact

# CURRENT names a damaged generation: verify names the file, recover goes back
$ printf 'XX' | dd of=sv-st/gen-000003/value.f64 bs=1 seek=8 conv=notrunc 2>/dev/null && chokepoint store verify --store sv-st > sv-v.txt; rc=$?; tail -2 sv-v.txt; exit $rc
~ ^gen-000002   intact, 6522 rows$
~ ^gen-000003   DAMAGED \(current\): sv-st/gen-000003/value\.f64: store file fails its checksum
! verify: the current generation gen-000003 is damaged; the newest intact generation is gen-000002
? 1

$ chokepoint store recover --store sv-st && chokepoint store verify --store sv-st | tail -1
> store sv-st: CURRENT named gen-000003, which is damaged; it now names gen-000002, the newest intact generation (6522 rows)
> ok: the current generation is intact

# no intact generation: recover changes nothing and says so
$ cp -a sv-base sv-nogood && printf 'XX' | dd of=sv-nogood/gen-000001/qty.f32 bs=1 seek=4 conv=notrunc 2>/dev/null && printf 'XX' | dd of=sv-nogood/gen-000002/qty.f32 bs=1 seek=4 conv=notrunc 2>/dev/null && : > sv-nogood/CURRENT && chokepoint store recover --store sv-nogood
! no generation of the store verifies; nothing was changed
? 1

# --replace over a damaged CURRENT starts afresh but keeps the intact generation
$ cp -a sv-base sv-rep && echo x > sv-rep/CURRENT && chokepoint ingest -q --replace --store sv-rep $DATA/flows/comtrade-annual/cobalt_trade_data.csv && chokepoint store verify --store sv-rep | grep ^gen-
> gen-000002   intact, 6522 rows
> gen-000003   intact, 86 rows (current)

# a directory with only the leftover of a killed first ingest (no CURRENT,
# no intact generation) is a new store
$ mkdir -p sv-fresh/gen-000001 && echo half > sv-fresh/gen-000001/value.f64 && chokepoint ingest -q --store sv-fresh $DATA/flows/comtrade-annual/cobalt_trade_data.csv && ls sv-fresh | grep gen-
> gen-000002

$ chokepoint store verify --store sv-nosuch
! no store here
? 1

$ chokepoint store frobnicate
! unknown subcommand 'frobnicate'
? 2
