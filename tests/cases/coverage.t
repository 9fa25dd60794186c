# coverage (issue 17, docs/analytics.md "Coverage"): every analysis row says
# what it rests on (coverage_note) and how much of the relevant trade the
# store can see (coverage, 0-1).  The denominator comes from outside the
# store: the importer's own World total where held, else the economies
# listed as UN Comtrade reporters for the year (data/ref/reporters).  Below
# 0.5 an answer is thin: its summary says whose flows it describes, never a
# share of the world or of a country's imports.
#
# The shipped real data: China's monthly exports of graphite and gallium/
# germanium, and the annual USA <-> China graphite reports of both sides.
$ chokepoint ingest -q --store real $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint ingest -q --store real $DATA/flows/comtrade-annual/graphite_trade_data.csv; echo $?
> 0

# Poland does not report in this store: China's export reports stand in
# (mirror), 1 of the 222 other listed economies.  The store holds graphite
# reports of China and the USA only, and the USA reports no exports to Poland.
$ chokepoint dependency --store real --importer POL --hs graphite --period 2023 --format json
> {"importer":"POL","hs":"graphite","period":"2023","supplier":"CHN","value":345523496,"share":1.0000,"rank":1,"hhi":10000,"source":"mirror","top_share":1.0000,"total":345523496,"suppliers":1,"qty":41954680,"cif_fob":0.0600,"supplier_name":"China","level":"HS6","from_detail":false,"detail_value":null,"synthetic":false,"sources":["flows"],"coverage":0.0045,"coverage_note":"thin: mirror: rests on the export reports of CHN to POL, 1 of 222 other economies listed as UN Comtrade reporters for 2023 (POL's own import report is not used)","caveat":"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake) | 250490 holds natural graphite of every grade other than powder or flakes: its figures do not tell one grade from another | 380110 holds artificial graphite of every grade and use (battery anode material among others): its figures do not tell one use from another"}

# the summary a terminal shows: not "100 % of Poland's imports"; the table
# ends with the coverage line
$ COLUMNS=250 script -qec "chokepoint dependency --store real --importer POL --hs graphite --period 2023" /dev/null | tr -d '\r' | tail -3
> CAVEAT: 250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake).
> CAVEAT: 250490 holds natural graphite of every grade other than powder or flakes: its figures do not tell one grade from another.
> CAVEAT: 380110 holds artificial graphite of every grade and use (battery anode material among others): its figures do not tell one use from another.

# world exports of graphite from the reports of China and the USA: 2 of 223
$ chokepoint concentration --store real --hs graphite --period 2023 --side exporter --format csv | cut -d, -f3,4,6,18,19
> side,country,share,coverage,coverage_note
> exporter,CHN,0.9852,0.0090,thin: world exports as reported by CHN and USA: 2 of 223 economies listed as UN Comtrade reporters for 2023
> exporter,USA,0.0148,0.0090,thin: world exports as reported by CHN and USA: 2 of 223 economies listed as UN Comtrade reporters for 2023
$ COLUMNS=250 script -qec "chokepoint concentration --store real --hs graphite --period 2023 --side exporter" /dev/null | tr -d '\r' | grep -E '^(thin|China|Coverage)'
> thin coverage: of the flows reported by CHN and USA (2 of 223 economies listed as UN Comtrade reporters), China made 99 % of the exports of graphite in 2023 (1,548,080,153 USD in all), HHI 9,709
> Coverage 0.90 % (thin): world exports as reported by CHN and USA: 2 of 223 economies listed as UN Comtrade reporters for 2023

# the summaries of chokepoints and alternatives follow the same rule
$ COLUMNS=300 script -qec "chokepoint chokepoints --store real --hs graphite" /dev/null | tr -d '\r' | grep 'groups scanned'
> 585 importer x product x year groups scanned, 585 pass the filters; first: thin coverage: of the flows reported by CHN (1 of 222 economies listed as UN Comtrade reporters), China supplied 100 % of 380110 going to Poland in 2022 (398,384,568 USD, HHI 10,000)
$ COLUMNS=300 script -qec "chokepoint alternatives --store real --importer USA --hs graphite --exclude CHN" /dev/null | tr -d '\r' | grep 'alternative suppliers'
> 17 alternative suppliers of graphite for United States of America in 2024; thin coverage: of the flows reported by CHN and USA (2 of 223 economies listed as UN Comtrade reporters), the largest, Madagascar, made 0 % of the exports; production from USGS: graphite

# the USA reports its imports, with a World total: the partners held (China
# alone in this store) make 67 % of it
$ chokepoint dependency --store real --importer USA --hs graphite --period 2023 --format csv | cut -d, -f4,6,9,21,22
> supplier,share,source,coverage,coverage_note
> CHN,1.0000,reported,0.6717,importer-reported: rests on USA's own import report; the partners held make 67 % of the World total it reports for 2023

# mirror rests on both sides' reports; surge on the reporter's
$ chokepoint mirror --store real --reporter USA --partner CHN --hs 250410 --period 2023 --format json | head -1 | grep -o '"coverage".*'
> "coverage":1.0000,"coverage_note":"rests on the reports of USA and CHN for 2023","caveat":"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake)"}
$ chokepoint surge --store real --reporter CHN --partner POL --hs graphite --from 2023-01 --to 2023-01 --format json | head -1 | grep -o '"coverage".*'
> "coverage":1.0000,"coverage_note":"rests on the reports of CHN for 2023-01","caveat":"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake) | 250490 holds natural graphite of every grade other than powder or flakes: its figures do not tell one grade from another | 380110 holds artificial graphite of every grade and use (battery anode material among others): its figures do not tell one use from another"}

# full coverage, known ground truth: a synthetic store where every economy
# listed for 2023 reports exports of 250410 (China 779,000 USD to Poland,
# every other 1,000 USD to Poland; Poland 1,000 USD to Germany)
$ awk -F, 'NR > 1 && ($3 == "" || $3 <= 2023) && ($4 == "" || $4 >= 2023) { print $2 }' $DATA/ref/reporters/reporters.csv | sort -u | awk 'BEGIN { print "period,reporter,partner,flow,hs,value,qty,unit" } { v = $1 == "CHN" ? 779000 : 1000; p = $1 == "POL" ? "DEU" : "POL"; print "2023," $1 "," p ",X,250410," v ",10,kg" }' > all.csv && chokepoint ingest --store full --source all-reporters --synthetic all.csv
! 223 rows read, 223 kept, 0 rejected
$ chokepoint dependency --store full --source synthetic --importer POL --hs 250410 --period 2023 --format csv | sed -n 2p | cut -d, -f4,6,12
> CHN,0.7790,222
$ chokepoint dependency --store full --source synthetic --importer POL --hs 250410 --period 2023 --format json | head -1 | grep -o '"coverage".*'
> "coverage":1.0000,"coverage_note":"mirror: rests on the export reports of AFG, ALB, DZA and 219 others to POL, 222 of 222 other economies listed as UN Comtrade reporters for 2023 (POL's own import report is not used)","caveat":"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake)"}
$ COLUMNS=250 script -qec "chokepoint dependency --store full --source synthetic --importer POL --hs 250410 --period 2023" /dev/null | tr -d '\r' | grep -E '^(China|Coverage)'
> China supplied 78 % of Poland's imports of 250410 in 2023, HHI 6,071 (mirror: partners' export reports, CIF/FOB default 6 % (0 usable pairs of reports))
> Coverage 100 %: mirror: rests on the export reports of AFG, ALB, DZA and 219 others to POL, 222 of 222 other economies listed as UN Comtrade reporters for 2023 (POL's own import report is not used)
$ chokepoint concentration --store full --source synthetic --hs 250410 --period 2023 --format csv | sed -n 2p | cut -d, -f4,6,18
> CHN,0.7782,1.0000
$ COLUMNS=250 script -qec "chokepoint concentration --store full --source synthetic --hs 250410 --period 2023" /dev/null | tr -d '\r' | grep -E '^China'
> China made 78 % of world exports of 250410 in 2023 (1,001,000 USD in all), HHI 6,059

# 112 of 223 economies: 0.5022, not thin (CKP_COVERAGE_THIN = 0.5); 111 are
$ awk -F, 'NR == 1 || NR % 2 == 0' all.csv > half.csv && chokepoint ingest -q --store half --synthetic half.csv && chokepoint concentration --store half --source synthetic --hs 250410 --period 2023 --format csv | sed -n 2p | cut -d, -f18 && sed '$d' half.csv > less.csv && chokepoint ingest -q --store less --synthetic less.csv && chokepoint concentration --store less --source synthetic --hs 250410 --period 2023 --format csv | sed -n 2p | cut -d, -f18,19 | cut -c1-12
> 0.5022
> 0.4978,"thin

# the reporter list is the denominator of every coverage: a bad row is an
# error naming the file and line, never a row skipped
$ mkdir -p bad/ref/reporters && cp -r $DATA/. bad/ && printf '999,XXX,20x4,,Nowhere\n' >> bad/ref/reporters/reporters.csv && chokepoint dependency --data bad --store real --importer POL --hs graphite --period 2023 --format csv
! reporters\.csv:240: from/to must be empty or years
? 1
