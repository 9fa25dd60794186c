# screen: shipments against the measures register, the party lists, ranked
# hubs and the file's own unit values.  tests/data/shipments_sample.csv holds
# 18 shipments with known answers (two of them bad rows).

# one alert per hit; summary and the rows not screened on stderr
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
> 1 S018,party,0.912
> 1 S018,party,0.964
> 1 S018,party,1.000
> 1 shipment,kind,score

# the ban: 282580 from CHN to USA on 2025-01-15 is under CN-2024-46
$ chokepoint screen $CASES/../data/shipments_sample.csv --format json | grep '"S001"' | grep CN-2024-46
? 0
~ "kind":"goods","score":1.000,"reason":"HS 282580 from CHN to USA on 2025-01-15 is under CN-2024-46 \(ban, issued by CHN, in force since 2024-12-03\)
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

# rows that cannot be screened: reported with file:line and reason, counted
# first in the summary, and the exit status is 3 whatever the alerts
$ chokepoint screen $CASES/../data/shipments_sample.csv -f json
? 3
! shipments_sample.csv:10: hs "81 10x" is not a 2-, 4- or 6-digit HS code \(row NOT screened\)
$ chokepoint screen $CASES/../data/shipments_sample.csv -f json
? 3
! shipments_sample.csv:11: date "2024-13-40" is not YYYY-MM-DD
$ chokepoint screen $CASES/../data/shipments_sample.csv -f json
? 3
! ^screen: 2 rows NOT screened \(listed above\); 16 shipments screened; 18 alerts \(goods 8, party 8, route 1, unitvalue 1\)
# --rejects FILE lists every one of them (CSV file,line,reason)
$ cd $CASES/../data && chokepoint screen shipments_sample.csv -q --rejects $TMP/rejects.csv > /dev/null; echo "exit $?"; cat $TMP/rejects.csv
> exit 3
> file,line,reason
> "shipments_sample.csv",10,"hs ""81 10x"" is not a 2-, 4- or 6-digit HS code"
> "shipments_sample.csv",11,"date ""2024-13-40"" is not YYYY-MM-DD"
# 3 also when the rows that were screened raise no alert
$ chokepoint screen - --no-parties
< id,date,exporter_country,origin,destination,hs
< C1,2025-01-15,DEU,DEU,FRA,940360
< C2,2025-01-15,DEU,DEU,FRA,94036x
? 3
! ^screen: 1 rows NOT screened \(listed above\); 1 shipments screened; 0 alerts
# every row screened: 1 with an alert, 0 without
$ chokepoint screen - --no-parties
< id,date,exporter_country,origin,destination,hs
< C1,2025-01-15,DEU,DEU,FRA,940360
< C3,2025-01-15,CHN,CHN,USA,282580
? 1
! ^screen: 0 rows not screened; 2 shipments screened; 2 alerts
$ chokepoint screen - --no-parties
< id,date,exporter_country,origin,destination,hs
< C1,2025-01-15,DEU,DEU,FRA,940360
? 0
! ^screen: 0 rows not screened; 1 shipments screened; 0 alerts

# a NUL byte inside a field would cut a listed name short: the row is not
# screened (as in JSON Lines, the API and ingest), never passed as clean
$ printf 'id,exporter,exporter_country,origin,destination,hs\nN1,Rosoboron\0export,RUS,RUS,IND,930100\nN2,Rosoboronexport,RUS,RUS,IND,930100\n' > $TMP/nul.csv && chokepoint screen $TMP/nul.csv -f csv > $TMP/nul.out; echo "exit $?"; cut -d, -f1,2 $TMP/nul.out
> exit 3
> shipment,kind
> N2,party
! nul.csv:2: exporter holds a NUL byte \(at byte 10 of the field\): not text \(row NOT screened\)
# nor is a field longer than a field may hold cut to fit
$ python3 -c "print('id,exporter,hs'); print('L1,' + 'x' * 5000 + ',930100')" | chokepoint screen - --no-parties
? 3
! -:2: exporter is 5000 bytes long: more than the 4095 a field may hold
$ chokepoint screen - --no-parties
< {"id":"J9","exporter":{"name":"Rosoboronexport"},"hs":"930100"}
? 3
! -:1: exporter is a JSON object: give a string or a number
# a name longer than the party matcher compares whole (32 words) is not
# screened: its last words, here the listed name, would not be compared
$ python3 -c "print('id,exporter'); print('W1,' + ' '.join('alpha%d' % i for i in range(40)) + ' Rosoboronexport')" | chokepoint screen -
? 3
! -:2: exporter "alpha0 alpha1 .*" is longer than the party matcher compares whole \(1024 bytes or 32 words\): not screened
# a party list's aliases are read whole, however many (the 601st alias of a
# 10 kB field was cut off); a field that would have to be cut is a reported reject
$ python3 -c "print('id,name,aliases,country,list,program'); print('X1,Acme Widgets,' + ';'.join('alias number %d' % i for i in range(600)) + ';Zeta Shell Company,IRN,TEST,T')" > $TMP/biglist.csv && printf 'id,exporter\nZ1,Zeta Shell Company\n' | chokepoint screen - --lists $TMP/biglist.csv | grep -o '"rule":"[^"]*"'
> "rule":"TEST"
$ python3 -c "print('id,name,aliases,country,list,program'); print('X1,' + 'N' * 3000 + ',Zeta Shell Company,IRN,TEST,T')" > $TMP/biglist2.csv && printf 'id,exporter\nZ1,Zeta Shell Company\n' | chokepoint screen - --lists $TMP/biglist2.csv
! lists: 1 bad rows skipped \(first: biglist2.csv:2: column 2 is longer than this list's loader keeps: entry not loaded\)
# every party of the parties column is screened, however many there are
$ printf 'id,parties\nP1,a;b;c;d;e;f;g;h;i;j;Rosoboronexport\n' | chokepoint screen - | grep -o '"field":"party","query":"[^"]*"'
> "field":"party","query":"Rosoboronexport"

# an empty origin or destination is taken from the parties' countries, and
# the reason says so: never "from ? to ?" when the row knows the countries
$ chokepoint screen - --no-parties | grep -o '"reason":"[^"]*"' | grep CN-2024-46
< id,date,exporter_country,importer_country,origin,destination,hs
< D1,2025-01-15,CHN,USA,,,282580
> "reason":"HS 282580 from CHN to USA on 2025-01-15 (origin taken from exporter_country, destination taken from importer_country: the row's origin and destination are empty) is under CN-2024-46 (ban, issued by CHN, in force since 2024-12-03): Ban on exports of gallium, germanium, antimony and superhard materials to the United States"
$ chokepoint screen - --no-parties | grep -c 'from ? to ?' || true
< id,date,exporter_country,importer_country,origin,destination,hs
< D2,2025-01-15,CHN,USA,CHN,,282580
> 0

# JSON Lines on stdin, other column names through --map; a clean shipment exits 0
$ chokepoint screen - --map id=ref,exporter=shipper
< {"ref":"J1","date":"2025-01-15","shipper":"Siemens AG","exporter_country":"DEU","origin":"DEU","destination":"FRA","importer_country":"FRA","hs":"940360"}
? 0
! screen: 0 rows not screened; 1 shipments screened; 0 alerts
$ chokepoint screen - --map id=ref | grep -o '"rule":"[^"]*"'
< {"ref":"J2","date":"2025-01-15","origin":"CHN","destination":"USA","hs":282580}
> "rule":"CN-2024-33"
> "rule":"CN-2024-46"

# usage errors: exit 2; a run that fails (nothing or not all screened): exit 3
$ chokepoint screen /nonexistent.csv
? 3
! cannot open
$ chokepoint screen - --map colour=x
< id
< 1
? 2
! --map: 'colour' is not a shipment column
$ chokepoint screen --threshold 2 -
? 2
! --threshold must be in \[0,1\]
$ chokepoint screen -
< a,b
< 1,2
? 3
! no 'id' column

# unit values against the flow store (kg, USD) when --store is given
$ chokepoint ingest -q --store $TMP/g.store $DATA/flows/comtrade-annual/graphite_trade_data.csv && printf 'id,date,origin,destination,hs,qty,unit,value,currency\nG1,2024-03-01,CHN,USA,250410,10000,kg,25,USD\nG2,2024-03-01,CHN,USA,250410,10000,kg,9000,USD\n' > $TMP/g.csv && chokepoint screen $TMP/g.csv --store $TMP/g.store --no-parties | grep unitvalue | grep -o '"reason":"[^"]*"'
> "reason":"unit value 0.0025 USD/kg is 1064.4x below the median 2.661 of 37 flows of HS 250410 in the flow store, in USD/kg, (robust z -11.7): possible under-invoicing or misclassification"
$ chokepoint screen $TMP/g.csv --no-parties | grep -c unitvalue || true
> 0
# synthetic flows in the same store are left out unless asked for (--source)
$ printf 'period,reporter,partner,flow,hs,value,qty,unit\n2023,THA,USA,X,250410,500000,5000,kg\n2023,MEX,USA,X,250410,600000,6000,kg\n2023,VNM,USA,X,250410,700000,7000,kg\n' > $TMP/gs.csv && chokepoint ingest -q --store $TMP/g.store --source synth-uv $TMP/gs.csv && chokepoint screen $TMP/g.csv --store $TMP/g.store --no-parties | grep unitvalue | grep -o 'of [0-9]* flows'
> of 37 flows
# and never mixed with the real ones (the median was of 40 flows, 3 synthetic)
$ chokepoint screen $TMP/g.csv --store $TMP/g.store --source all --no-parties
? 2
! --source 'all' mixes real sources \(comtrade\) with synthetic ones \(synth-uv\)
$ chokepoint screen $TMP/g.csv --store $TMP/g.store --source nosuch --no-parties
? 2
! no source named 'nosuch'
$ chokepoint screen $TMP/g.csv --store $TMP/nostore --no-parties
? 3

# route hubs on the synthetic world (seed 1): EU-RUS-2022-02-25 covers 894
# HS6 codes, and the hubs file of diversion --all-measures keeps every one of
# them (it kept 511 characters: 74 codes), so microcontrollers (854231) to
# Kyrgyzstan, a ranked hub, raise a route alert
$ chokepoint synth --out $TMP/w1.csv --seed 1 --rows 100000 -q && chokepoint ingest -q --store $TMP/w1.store --source synth-1 $TMP/w1.csv && chokepoint diversion --store $TMP/w1.store --all-measures --format csv > $TMP/hubs1.csv && python3 -c "import csv,sys; print(sorted({len(r['hs'].split(';')) for r in csv.DictReader(open(sys.argv[1])) if r['measure'] == 'EU-RUS-2022-02-25'}))" $TMP/hubs1.csv
> [894]
$ printf 'id,date,exporter,exporter_country,importer,importer_country,origin,destination,transit,hs\nK1,2024-03-01,Muster GmbH,DEU,Bishkek Trade,KGZ,DEU,KGZ,,854231\nK2,2024-03-01,Muster GmbH,DEU,Bishkek Trade,KGZ,DEU,RUS,KGZ,854231\n' > $TMP/k.csv && chokepoint screen $TMP/k.csv --hubs $TMP/hubs1.csv --no-parties | grep '"route"' | grep -o '"reason":"HS 854231 from DEU [^,]*, ranked #[0-9] hub for rerouting around [^ ]*'
> "reason":"HS 854231 from DEU is shipped to KGZ, ranked #5 hub for rerouting around EU-RUS-2022-02-25
> "reason":"HS 854231 from DEU transits KGZ, ranked #5 hub for rerouting around EU-RUS-2022-02-25
# a hubs file whose measure or hub would have to be cut is refused, not cut
$ printf 'hs,hub,destination,score,rank,measure\n854231,KGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZKGZ,RUS,0.5,1,M\n' > $TMP/badhubs.csv && chokepoint screen $TMP/k.csv --hubs $TMP/badhubs.csv --no-parties
? 3
! badhubs.csv:2: hub 'KGZKGZKGZKGZKGZKGZKG…' is not a hub \(72 bytes\)

# without --hubs, --store ranks every measure's hubs from the store, kept
# beside the store generation: route alerts out of the box, the same when cached
$ chokepoint screen $TMP/k.csv --store $TMP/w1.store --no-parties | grep -c 'ranked #5 hub for rerouting around EU-RUS-2022-02-25 to RUS'
> 2
! screen: route hubs: [0-9]+ entries ranked from the store$
$ ls $TMP/w1.store/*/hubs-*.bin | wc -l
> 1
$ chokepoint screen $TMP/k.csv --store $TMP/w1.store --no-parties | grep -c 'ranked #5 hub for rerouting around EU-RUS-2022-02-25 to RUS'
> 2
! screen: route hubs: [0-9]+ entries ranked from the store \(cached\)
# the cache is keyed by every field the ranking reads: a measure turned from
# an export ban into an import ban (not ranked) is ranked again, not served
# from the cache
$ printf 'id,issuer,targets,hs6,kind,announced,effective,lifted,title,source,notes,direction\nT-DIR,DEU,RUS,854231,ban,2022-03-01,2022-03-01,,t,s,,export\n' > $TMP/mdir.csv && chokepoint screen $TMP/k.csv --store $TMP/w1.store --measures $TMP/mdir.csv --no-parties > /dev/null; sed -i 's/,export$/,import/' $TMP/mdir.csv && chokepoint screen $TMP/k.csv --store $TMP/w1.store --measures $TMP/mdir.csv --no-parties | grep -c 'T-DIR' || true
> 0
! screen: route hubs: [0-9]+ entries ranked from the store$
# --hubs FILE overrides the store's
$ printf 'hs,hub,destination,score\n999999,THA,USA,0.5\n' > $TMP/onehub.csv && chokepoint screen $TMP/k.csv --store $TMP/w1.store --hubs $TMP/onehub.csv --no-parties | grep -c 'rerouting' || true
> 0
