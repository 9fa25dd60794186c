# BACI release archives (.zip) read as a stream: a small archive in CEPII's
# layout built from the shipped Comtrade graphite rows
# (tests/data/ingest/make_baci_zip.py), so the answer is known: the same
# figures as the Comtrade file they came from.

# --- the archive: 5 year files, the country table after them, 20 World rows
# (BACI has no code 0) rejected with ARCHIVE:MEMBER and line
$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA t.zip && chokepoint ingest --store a t.zip
! 40 rows read, 20 kept, 20 rejected; store a: 20 rows
! rejected 20 unknown-partner
! read 5 year files from BACI archives, their codes resolved by each archive's own country table; 2 other members

$ chokepoint ingest -q --store a2 --rejects - t.zip | head -n 3
> file,line,reason,detail,row
> t.zip:BACI_HS17_Y2020_V202401.csv,3,unknown-partner,unknown BACI importer code '0' (not a known country in country_codes_V202401.csv),"2020,156,0,250410,308654.675,165204.200"
> t.zip:BACI_HS17_Y2020_V202401.csv,4,unknown-partner,unknown BACI importer code '0' (not a known country in country_codes_V202401.csv),"2020,842,0,250410,19930.830,6005.241"

# thousand USD → USD and tonnes → kg: China's reported exports to the USA,
# exactly as the Comtrade file has them (primaryValue, netWgt)
$ chokepoint surge --store a --reporter CHN --partner USA --hs 380110 --format csv | cut -d, -f1-6
> reporter,partner,hs,period,value,qty
> CHN,USA,380110,2020,30103875,37634008
> CHN,USA,380110,2021,50434909,51336680
> CHN,USA,380110,2022,192311829,68790768
> CHN,USA,380110,2023,199547364,66739840
> CHN,USA,380110,2024,170625873,74414920

$ chokepoint ingest -q --store c $DATA/flows/comtrade-annual/graphite_trade_data.csv && for h in 250410 380110; do for r in CHN USA; do diff <(chokepoint surge --store a --reporter $r --hs $h --format csv | cut -d, -f1-6) <(chokepoint surge --store c --reporter $r --hs $h --flow X --format csv | cut -d, -f1-6) || echo DIFFERS; done; done
>>> 0

# the edition is the archive's (HS17 in the member names)
$ chokepoint info --store a --format csv | cut -d, -f1,11,13
> rows,source_names,source_editions
> 20,baci,baci:HS2017

# the member's name says it, not the archive's
$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA BACI_HS17_V202401.zip --edition=HS22 && chokepoint ingest -q --store m BACI_HS17_V202401.zip && chokepoint info --store m --format csv | cut -d, -f13
> source_editions
> baci:HS2022

# --hs-edition says it when the names do not
$ cp t.zip renamed.zip && chokepoint ingest -q --store r --hs-edition 2022 renamed.zip && chokepoint info --store r --format csv | cut -d, -f13
> source_editions
> baci:HS2022

# --- a year file over the 4 MiB chunk (lines across chunk ends, a quoted
# value and a CRLF line in the second chunk): the archive gives the same
# store, byte for byte, and the same rejects at the same lines as the file
$ python3 $CASES/../data/ingest/make_baci_big.py $DATA . 200000 && chokepoint ingest -q --store z --rejects rz.csv big.zip && chokepoint ingest -q --store p --rejects rp.csv BACI_HS17_Y2021_V202401.csv && for f in $(ls z/gen-000001); do cmp z/gen-000001/$f p/gen-000001/$f || echo DIFF; done; diff <(sed 's/^big.zip://' rz.csv | cut -d, -f1-3) <(cut -d, -f1-3 rp.csv) && wc -l < rp.csv
> 5350

# --- uncompressed members read the same
$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA s.zip --stored && chokepoint ingest --store s s.zip
! 40 rows read, 20 kept, 20 rejected

# --- a damaged archive: an error naming the member, nothing stored
$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA d.zip --damage && chokepoint ingest --store d d.zip
! chokepoint: ingest: d.zip:BACI_HS17_Y2022_V202401.csv: the zip archive is damaged
! nothing was stored
? 1

$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA ds.zip --damage --stored && chokepoint ingest --store d ds.zip
! chokepoint: ingest: ds.zip:BACI_HS17_Y2022_V202401.csv: the zip archive is damaged: .*CRC
? 1

$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA full.zip && head -c 900 full.zip > cut.zip && chokepoint ingest --store d cut.zip
! chokepoint: ingest: cut.zip: the zip archive is damaged .*Truncated
? 1

$ chokepoint info --store d
! no published store
? 1

# --- a missing member
$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA n.zip --no-country-table && chokepoint ingest --store d n.zip
! chokepoint: ingest: n.zip: the archive has no country table \(country_codes_V….csv\): its exporter and importer codes cannot be resolved
? 1

$ python3 $CASES/../data/ingest/make_baci_zip.py $DATA y.zip --no-year-file && chokepoint ingest --store d y.zip
! chokepoint: ingest: y.zip: the archive has no year file
? 1

# --- read twice, so not from standard input
$ chokepoint ingest --store d - < t.zip
! a zip archive is read twice .*give its file name
? 2
