# screen: shipments against the measures register, the party lists, ranked
# hubs and the file's own unit values.  tests/data/shipments_sample.csv holds
# 18 shipments with known answers (two of them bad rows).

# one alert per hit; exit 1 when any alert; summary and bad rows on stderr
$ chokepoint screen $CASES/../data/shipments_sample.csv --hubs $CASES/../data/hubs_sample.csv --format csv | cut -d, -f1,2,3 | sort | uniq -c | sed 's/^ *//'
? 0
> 1 S001,goods,0.900
> 1 S001,goods,1.000
> 2 S002,goods,0.900
> 2 S003,party,1.000
> 1 S004,party,1.000
> 1 S005,goods,0.600
> 1 S005,goods,0.900
> 1 S007,goods,0.900
> 1 S007,goods,1.000
> 1 S007,route,0.820
> 1 S008,route,0.500
> 1 S016,unitvalue,1.000
> 1 S017,party,0.956
> 1 S017,party,1.000
> 1 S018,party,0.815
> 1 S018,party,0.919
> 1 S018,party,1.000
> 1 shipment,kind,score

# the ban: 282580 from CHN to USA on 2025-01-15 is under CN-2024-46
$ chokepoint screen $CASES/../data/shipments_sample.csv --format json | grep '"S001"' | grep CN-2024-46
? 0
~ "kind":"goods","score":1.000,"reason":"HS 282580 from CHN to USA on 2025-01-15 is under CN-2024-46 \(ban, issued by CHN, in force since 2024-12-03, until 2025-11-09\)
~ "rule":"CN-2024-46","matched":\{"measure":"CN-2024-46","kind":"ban","hs":"282580"

# misdeclaration: antimony trioxide declared as 382499
$ chokepoint screen $CASES/../data/shipments_sample.csv --format json | grep '"S002"' | head -1
? 0
~ names antimony oxides but the goods are declared as HS 382499.*possible misdeclaration
~ "rule":"misdeclaration:CN-2024-33"

# CHPL / EU list when the destination is Russia, whoever exports
$ chokepoint screen $CASES/../data/shipments_sample.csv --format json | grep '"S005"' | grep -o '"rule":"[^"]*"'
? 0
> "rule":"EU-RUS-2022-02-25"
> "rule":"CHPL-1"

# parties in Cyrillic and Chinese, explained
$ chokepoint screen $CASES/../data/shipments_sample.csv --format json | grep '"S017"' | head -1
? 0
~ exporter \\"Общество с ограниченной ответственностью Интер Тобако\\" matches OpenSanctions entry NK-2GdmHtZTeNXjNVrBGEXZNj
~ inter = inter 1.00, tobako = tobako 1.00
$ chokepoint screen $CASES/../data/shipments_sample.csv --format json | grep '"S018"' | head -1
? 0
~ matches MOFCOM-ECL\+UEL entry mofcom-6 \\"Lockheed Martin Corporation\\"

# route through a ranked hub; importer in one country, goods to another
$ chokepoint screen $CASES/../data/shipments_sample.csv --hubs $CASES/../data/hubs_sample.csv --format json | grep '"route"' | grep -o '"reason":"[^"]*"'
? 0
> "reason":"HS 811010 from CHN transits THA, ranked #1 hub for rerouting around CN-2024-46 to USA (diversion score 0.82)"
> "reason":"the importer is in MEX but the goods are declared to USA: the route does not fit the parties (possible onward shipment)"

# unit value far below the file's own distribution for 850440
$ chokepoint screen $CASES/../data/shipments_sample.csv --format json | grep unitvalue | grep -o '"reason":"[^"]*"'
? 0
> "reason":"unit value 1.2 EUR/pcs is 83.1x below the median 99.75 of 8 shipments of HS 850440 in this file (robust z -59.6): possible under-invoicing or misclassification"

# bad rows: reported with their line, skipped; the summary counts them
$ chokepoint screen $CASES/../data/shipments_sample.csv -f json
? 1
! shipments_sample.csv:10: hs "81 10x" is not a 2-, 4- or 6-digit HS code \(row skipped\)
$ chokepoint screen $CASES/../data/shipments_sample.csv -f json
? 1
! shipments_sample.csv:11: date "2024-13-40" is not YYYY-MM-DD
$ chokepoint screen $CASES/../data/shipments_sample.csv -f json
? 1
! screen: 16 shipments read, 2 bad rows skipped; 18 alerts \(goods 8, party 8, route 1, unitvalue 1\)

# JSON Lines on stdin, other column names through --map; a clean shipment exits 0
$ chokepoint screen - --map id=ref,exporter=shipper
< {"ref":"J1","date":"2025-01-15","shipper":"Siemens AG","exporter_country":"DEU","origin":"DEU","destination":"FRA","importer_country":"FRA","hs":"940360"}
? 0
! screen: 1 shipments read, 0 bad rows skipped; 0 alerts
$ chokepoint screen - --map id=ref | grep -o '"rule":"[^"]*"'
< {"ref":"J2","date":"2025-01-15","origin":"CHN","destination":"USA","hs":282580}
> "rule":"CN-2024-33"
> "rule":"CN-2024-46"

# errors: exit 2
$ chokepoint screen /nonexistent.csv
? 2
! cannot open
$ chokepoint screen - --map colour=x
< id
< 1
? 2
! --map: 'colour' is not a shipment column
$ chokepoint screen -
< a,b
< 1,2
? 2
! no 'id' column

# unit values against the flow store (kg, USD) when --store is given
$ chokepoint ingest -q --store $TMP/g.store $DATA/flows/comtrade-annual/graphite_trade_data.csv && printf 'id,date,origin,destination,hs,qty,unit,value,currency\nG1,2024-03-01,CHN,USA,250410,10000,kg,25,USD\nG2,2024-03-01,CHN,USA,250410,10000,kg,9000,USD\n' > $TMP/g.csv && chokepoint screen $TMP/g.csv --store $TMP/g.store --no-parties | grep unitvalue | grep -o '"reason":"[^"]*"'
> "reason":"unit value 0.0025 USD/kg is 1064.4x below the median 2.661 of 37 flows of HS 250410 in the flow store, in USD/kg, (robust z -11.7): possible under-invoicing or misclassification"
$ chokepoint screen $TMP/g.csv --no-parties | grep -c unitvalue || true
> 0
# synthetic flows in the same store are left out unless asked for (--source)
$ printf 'period,reporter,partner,flow,hs,value,qty,unit\n2023,THA,USA,X,250410,500000,5000,kg\n2023,MEX,USA,X,250410,600000,6000,kg\n2023,VNM,USA,X,250410,700000,7000,kg\n' > $TMP/gs.csv && chokepoint ingest -q --store $TMP/g.store --source synth-uv $TMP/gs.csv && chokepoint screen $TMP/g.csv --store $TMP/g.store --no-parties | grep unitvalue | grep -o 'of [0-9]* flows'
> of 37 flows
$ chokepoint screen $TMP/g.csv --store $TMP/g.store --source all --no-parties | grep unitvalue | grep -o 'of [0-9]* flows'
> of 40 flows
$ chokepoint screen $TMP/g.csv --store $TMP/g.store --source nosuch --no-parties
? 2
! no source named 'nosuch'
$ chokepoint screen $TMP/g.csv --store $TMP/nostore --no-parties
? 2
