# HS editions: each source's edition recorded, codes concorded to HS2022 so
# that a series spanning an edition change is one series; a 1:n split is
# never allocated (docs/store.md, "HS editions").
# Known answer (tests/data/ingest/hs_editions.csv, constructed): HS2017
# 290331 renumbered HS2022 290362 (1:1); HS2017 580211 and 580219 merged
# into HS2022 580210 (n:1); HS2017 811292 split into HS2022 811231, 811241
# and 811292 (1:n).

$ chokepoint ingest -q --store he --source synth-hs $CASES/../data/ingest/hs_editions.csv && chokepoint info --store he --format json | grep -o '"source_editions":"[^"]*"'
> "source_editions":"synth-hs:HS2017,HS2022"

# a renumbered code: one series, asked in either edition
$ chokepoint surge --store he --reporter USA --partner CHN --flow M --hs 290362 --format csv | cut -d, -f4,5
> period,value
> 2020,100
> 2021,200
> 2022,300
> 2023,400

$ chokepoint surge --store he --reporter USA --partner CHN --flow M --hs 290331 --format csv | cut -d, -f4,5
> period,value
> 2020,100
> 2021,200
> 2022,300
> 2023,400

# two codes merged into one: both old codes add up under the new one
$ chokepoint surge --store he --reporter USA --partner CHN --flow M --hs 580210 --format csv | cut -d, -f4,5
> period,value
> 2021,30
> 2022,50

# asked in the old edition: one of the two merged codes is not the new code
$ chokepoint surge --store he --reporter USA --partner CHN --flow M --hs 580211 --format csv | cut -d, -f4,5
> period,value
> 2021,10
! note: HS2022 580210 came from HS2017 580211,580219, not all asked: its rows are left out \(a merge is never split\)

$ chokepoint surge --store he --reporter USA --partner CHN --flow M --hs 580211,580219 --format json | grep -o '"period":"[^"]*","value":[0-9.]*'
> "period":"2021","value":30
> "period":"2022","value":50

# a split: the old code is left out of one part, said on stderr, not allocated
$ chokepoint surge --store he --reporter USA --partner CHN --flow M --hs 811292 --format csv | cut -d, -f4,5
> period,value
> 2022,800
! note: HS2017 811292 became HS2022 811231,811241,811292, not all asked: its rows are left out \(a split is never allocated\)

# … and joined when all its parts are asked
$ chokepoint surge --store he --reporter USA --partner CHN --flow M --hs 811231,811241,811292 --format json | grep -o '"period":"[^"]*","value":[0-9.]*'
> "period":"2021","value":1000
> "period":"2022","value":900

# --- real data: China's monthly exports are HS2017 to 2021, HS2022 from 2022
$ chokepoint ingest -q --store cn --source cn $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint info --store cn --format json | grep -o '"source_editions":"[^"]*"'
> "source_editions":"cn:HS2017,HS2022"

# graphite 250410 is the same code in both: one series 2017-01 … 2024-12
$ chokepoint surge --store cn --reporter CHN --partner USA --hs 250410 --format csv | cut -d, -f4 | sed -n '2p;$p'
> 2017-01
> 2024-12

# gallium: HS2017 811292 also held hafnium and rhenium (HS2022 811231,
# 811241): the HS2022 811292 series starts in 2022, and says why
$ chokepoint surge --store cn --reporter CHN --hs 811292 --format csv | cut -d, -f4 | sed -n '2p;$p'
> 2022-01
> 2024-12
! note: HS2017 811292 became HS2022 811231,811241,811292

$ chokepoint surge --store cn --reporter CHN --hs 811231,811241,811292 --format csv | wc -l
> 97
