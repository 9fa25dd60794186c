# measures: the register (shipped measures, the EU's HS6 sanctions on Russia
# by date, the CHPL by tier), filters, user files with bad rows, usage errors.

$ chokepoint measures --issuer CHN --in-force 2024-12-31 --format csv | cut -d, -f1-7
> id,issuer,targets,kind,announced,effective,lifted
> CN-2023-23,CHN,*,licence,2023-07-03,2023-08-01,
> CN-2023-39,CHN,*,licence,2023-10-20,2023-12-01,
> CN-2024-33,CHN,*,licence,2024-08-15,2024-09-15,
> CN-2024-46,CHN,USA,ban,2024-12-03,2024-12-03,2025-11-09

# the ban on the US was suspended on 2025-11-09
$ chokepoint measures --issuer CHN --target USA --kind ban --in-force 2025-12-01 --format csv
>>> 1

# chips to Russia: the EU list (a member state matches the EU) and the CHPL
$ chokepoint measures --hs 854231 --target RUS --issuer DEU --format csv | cut -d, -f1-4
> id,issuer,targets,kind
> EU-RUS-2022-02-25,EU,RUS,sanction
> CHPL-1,EU;USA;GBR;JPN,RUS;BLR,list

# the EU's 11 dated sanction packages and the 6 CHPL tiers
$ chokepoint measures --format json --issuer EU | wc -l
> 17

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
