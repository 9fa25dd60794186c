# measures: the register (shipped measures, the EU's HS6 sanctions on Russia
# by date, the CHPL by tier), filters, user files with bad rows, usage errors.

$ chokepoint measures --issuer CHN --in-force 2024-12-31 --format csv | cut -d, -f1-7
> id,issuer,targets,kind,announced,effective,lifted
> CN-2023-23,CHN,*,licence,2023-07-03,2023-08-01,
> CN-2023-39,CHN,*,licence,2023-10-20,2023-12-01,
> CN-2024-33,CHN,*,licence,2024-08-15,2024-09-15,
> CN-2024-46,CHN,USA,ban,2024-12-03,2024-12-03,

# China's measures of 2025-10-09 (Anns. 55-58, 61, 62) and their suspension by
# Ann. 70 from 2025-11-07 to 2026-11-10; Ann. 72 suspends clause 2 of Ann. 46
# (the ban on the US) from 2025-11-09 to 2026-11-27, clause 1 stays in force.
# Before: 61 (clause 1(3)) and 62 applied on publication, 55-58 announced.
$ chokepoint measures --issuer CHN --in-force 2025-10-20 --format csv | python3 -c "import csv,sys; [print(r['id'], r['status'], sep=',') for r in csv.DictReader(sys.stdin) if r['id'] >= 'CN-2024-46']"
> CN-2024-46,in force
> CN-2025-10,in force
> CN-2025-18,in force
> CN-2025-61,in force
> CN-2025-62,in force

$ chokepoint measures --issuer CHN --format csv --in-force 2025-10-20 --kind licence --hs 710510
>>> 1

# 2025-11-08, the day 55-58 were to take effect: suspended since 2025-11-07
$ chokepoint measures --issuer CHN --in-force 2025-11-08 --format csv | python3 -c "import csv,sys; [print(r['id'], r['status'], sep=',') for r in csv.DictReader(sys.stdin) if r['id'] >= 'CN-2024-46']"
> CN-2024-46,in force
> CN-2025-10,in force
> CN-2025-18,in force
> CN-2025-70,in force

# during both suspensions: the ban on the US is partly suspended, not lifted
$ chokepoint measures --issuer CHN --target USA --kind ban --in-force 2025-12-01 --format csv | python3 -c "import csv,sys; [print(r['id'], r['status'], r['suspension'], r['suspended_from'], r['suspended_until'], sep='|') for r in csv.DictReader(sys.stdin)]"
> CN-2024-46|partly suspended|clause 2 (in-principle denial of Ga, Ge, Sb, superhard exports to the US; graphite end-use review): suspended 2025-11-09 to 2026-11-27 by CN-2025-72 (for USA)|2025-11-09|2026-11-27

# the last day of Ann. 70's suspension, and the day after: 55-58, 61, 62 apply again
$ chokepoint measures --issuer CHN --in-force 2026-11-10 --format csv | grep -c '^CN-2025-5' || true
> 0

$ chokepoint measures --issuer CHN --in-force 2026-11-11 --format csv | python3 -c "import csv,sys; [print(r['id'], r['status'], r['hs_count'], r['hs_note'], sep=',') for r in csv.DictReader(sys.stdin) if r['id'] >= 'CN-2025-5']"
> CN-2025-55,in force,2,
> CN-2025-56,in force,0,no HS code stated: listed, but binds no shipment by code
> CN-2025-57,in force,1,
> CN-2025-58,in force,3,
> CN-2025-61,in force,0,no HS code stated: listed, but binds no shipment by code
> CN-2025-62,in force,0,no HS code stated: listed, but binds no shipment by code
> CN-2025-72,in force,16,

# Ann. 70 itself ran its course
$ chokepoint measures --kind suspension --in-force 2026-11-11 --format json | grep -o '"id":"[^"]*"\|"status":"[^"]*"'
> "id":"CN-2025-72"
> "status":"in force"

# after 2026-11-27 clause 2 of Ann. 46 applies again
$ chokepoint measures --issuer CHN --target USA --kind ban --in-force 2026-11-28 --format csv | cut -d, -f1 --output-delimiter=, | tail -1; chokepoint measures --issuer CHN --target USA --kind ban --in-force 2026-11-28 --format json | grep -o '"status":"[^"]*"'
> CN-2024-46
> "status":"in force"

# rows without HS codes are listed, and the summary says they bind nothing by code
$ chokepoint measures --issuer USA --in-force 2025-01-01 --format csv | python3 -c "import csv,sys; [print(r['id'], r['hs_count'], r['hs_note'], sep=',') for r in csv.DictReader(sys.stdin) if r['id'].startswith('US-')]"
> US-2022-BIS-AC,0,no HS code stated: listed, but binds no shipment by code
> US-2023-BIS-AC,0,no HS code stated: listed, but binds no shipment by code
> US-2024-BIS-AC,0,no HS code stated: listed, but binds no shipment by code
> US-2022-EO14066,0,no HS code stated: listed, but binds no shipment by code
> US-2022-EO14068,0,no HS code stated: listed, but binds no shipment by code
> US-2024-OFAC-METALS,0,no HS code stated: listed, but binds no shipment by code

# ... and on a terminal the footer counts them
$ COLUMNS=200 script -qec "chokepoint measures --issuer USA --in-force 2025-01-01" /dev/null | tr -d '\r' | tail -1
> 12 of 58 measures in force on 2025-01-01 (status on 2025-01-01); 6 without HS codes bind no shipment by code

# import measures: targets are the origin (the EU's ban on Russian aluminium)
$ chokepoint measures --hs 760110 --in-force 2026-03-01 --format csv | python3 -c "import csv,sys; [print(r['id'], r['targets'], r['kind'], r['direction'], r['status'], sep=',') for r in csv.DictReader(sys.stdin)]"
> EU-2025-16-ALBAN,RUS,ban,import,in force

$ chokepoint measures --hs 760110 --in-force 2025-06-01 --format csv | python3 -c "import csv,sys; [print(r['id'], r['kind'], r['lifted'], r['status'], sep=',') for r in csv.DictReader(sys.stdin)]"
> EU-2025-16-AL,quota,2026-02-26,in force

# a suspension that ends before it starts is rejected with file:line; one
# naming a measure not in the register too; the good suspension applies
$ printf 'id,issuer,targets,hs6,kind,announced,effective,lifted,title,source,notes,suspends,clause,until\nT-1,CHN,*,250410,licence,2023-10-20,2023-12-01,,t,s,,,,\nT-S,CHN,*,,suspension,2023-11-30,2023-11-30,,t,s,,T-1,,2024-05-31\nT-BAD,CHN,*,,suspension,2024-01-10,2024-01-10,,t,s,,T-1,,2023-12-31\nT-X,CHN,*,,suspension,2024-01-10,2024-01-10,,t,s,,NOPE,,\n' > $TMP/susp.csv && chokepoint measures --measures $TMP/susp.csv --hs 250410 --issuer CHN --in-force 2024-03-01 --format csv | cut -d, -f1
! susp.csv:4: T-BAD: the suspension ends \(until 2023-12-31\) before it starts \(2024-01-10\)
> id
> CN-2023-39

$ chokepoint measures --measures $TMP/susp.csv --format csv > /dev/null
! susp.csv:5: T-X: suspends "NOPE", which is not in the register

$ chokepoint measures --measures $TMP/susp.csv --hs 250410 --issuer CHN --in-force 2024-06-01 --format csv | cut -d, -f1
> id
> CN-2023-39
> T-1

# a suspension names its measure by the whole id (up to 64 characters): an id
# longer than 40 was looked up by its first 40 and said to be missing
$ L=T-LONG-ID-0123456789-0123456789-0123456789-0123456789; printf 'id,issuer,targets,hs6,kind,announced,effective,lifted,title,source,notes,suspends,clause,until\n%s,CHN,*,250410,licence,2023-10-20,2023-12-01,,t,s,,,,\nT-LS,CHN,*,,suspension,2024-01-01,2024-01-01,,t,s,,%s,,2024-05-31\n' $L $L > $TMP/longid.csv && chokepoint measures --measures $TMP/longid.csv --hs 250410 --issuer CHN --in-force 2024-03-01 --format csv | cut -d, -f1
> id
> CN-2023-39

# surge around a measure suspended before it took effect: dated by its announcement
$ chokepoint ingest -q --store $TMP/m.store --source cn $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint surge --store $TMP/m.store --reporter CHN --partner USA --measures $TMP/susp.csv --measure T-1 --format csv --summary | tail -1 | cut -d, -f1-4,10,15
> CHN,USA,T-1,change,event,T-1 (2023-10-20 announced; suspended before taking effect)

$ chokepoint surge --store $TMP/m.store --reporter CHN --measure CN-2025-56
! CN-2025-56 states no HS code
? 2

# nothing to reroute around a suspension, a row without codes or an import ban
$ chokepoint diversion --store $TMP/m.store --measure CN-2025-70
! CN-2025-70 is a suspension: nothing to reroute around
? 2

$ chokepoint diversion --store $TMP/m.store --measure EU-2025-16-ALBAN
! EU-2025-16-ALBAN restricts imports
? 2

# screening on dates before, during and after a suspension: synthetic diamond
# powder (710510, CN-2025-55) to Japan and germanium (811292) to the USA
$ chokepoint screen - --no-parties --format json | python3 -c "import json,sys; [print(a['shipment'], a['rule'], a['matched'].get('status') if isinstance(a['matched'], dict) else '', sep=',') for a in map(json.loads, sys.stdin)]"
< id,date,origin,destination,hs
< D1,2025-10-20,CHN,JPN,710510
< D2,2026-03-02,CHN,JPN,710510
< D3,2026-11-11,CHN,JPN,710510
< G1,2025-11-08,CHN,USA,811292
< G2,2025-11-10,CHN,USA,811292
< G3,2026-11-28,CHN,USA,811292
> D3,CN-2025-55,in force
> G1,CN-2023-23,in force
> G1,CN-2024-46,in force
> G1,CN-2025-10,in force
> G2,CN-2023-23,in force
> G2,CN-2024-46,partly suspended
> G2,CN-2025-10,in force
> G3,CN-2023-23,in force
> G3,CN-2024-46,in force
> G3,CN-2025-10,in force

# a measure suspended before it took effect is in force from the day after the suspension
$ chokepoint screen - --no-parties --format json | grep -o '"reason":"[^:]*'
< id,date,origin,destination,hs
< D3,2026-11-11,CHN,JPN,710510
> "reason":"HS 710510 from CHN to JPN on 2026-11-11 is under CN-2025-55 (licence, issued by CHN, in force since 2026-11-11 after a suspension from its effective date 2025-11-08)

$ chokepoint screen - --no-parties --format json | grep -o 'partly suspended on that date: [^)]*)[^)]*)'
< id,date,origin,destination,hs
< G2,2025-11-10,CHN,USA,811292
> partly suspended on that date: clause 2 (in-principle denial of Ga, Ge, Sb, superhard exports to the US; graphite end-use review), from 2025-11-09 to 2026-11-27 by CN-2025-72)

# chips to Russia: the EU list (a member state matches the EU) and the CHPL
$ chokepoint measures --hs 854231 --target RUS --issuer DEU --format csv | cut -d, -f1-4
> id,issuer,targets,kind
> EU-RUS-2022-02-25,EU,RUS,sanction
> CHPL-1,EU;USA;GBR;JPN,RUS;BLR,list

# the EU's 11 dated sanction dates, its 11 package rows of 2023-2025 and the 6 CHPL tiers
$ chokepoint measures --format json --issuer EU | wc -l
> 28

$ chokepoint measures --format csv --kind list | cut -d, -f1,9
> id,hs_count
> CHPL-1,4
> CHPL-2,5
> CHPL-3A,16
> CHPL-3B,9
> CHPL-4A,11
> CHPL-4B,5

# a user file: good rows load, each bad row is rejected with file:line
$ printf 'id,issuer,targets,hs6,kind,announced,effective,lifted,title,source,notes\nX-1,USA,CHN,854231,licence,2022-10-07,2022-10-07,,t,s,\nX-2,USA,CHN,854231,licence,2022-13-07,,,t,s,\nX-3,ZZZ,CHN,854231,ban,,2023-01-01,,t,s,\n' > $TMP/m.csv && chokepoint measures --measures $TMP/m.csv --issuer USA --kind licence --format csv | cut -d, -f1-4
> id,issuer,targets,kind
> US-2022-BIS-AC,USA,CHN,licence
> US-2023-BIS-AC,USA,CHN;MAC,licence
> US-2024-BIS-AC,USA,CHN;MAC,licence
> X-1,USA,CHN,licence
! m.csv:3: X-2: announced date "2022-13-07" is not YYYY-MM-DD

$ chokepoint measures --measures $TMP/m.csv --format csv
! m.csv:4: X-3: issuer "ZZZ" is not an ISO3 country code or EU

$ chokepoint measures --measures /nonexistent/file.csv
! chokepoint: measures: .*nonexistent
? 1

$ chokepoint measures --in-force yesterday
! --in-force takes YYYY-MM-DD
? 2

$ chokepoint measures --kind embargo
! --kind: 'embargo' is not
? 2

$ chokepoint measures --help
~ ^usage: chokepoint measures
~ columns \(JSON fields\): id, issuer, targets, kind
