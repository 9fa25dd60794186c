# report and serve: options, errors, and a report over a small synthetic store.
$ chokepoint report --help
~ ^usage: chokepoint report
~ --shipments FILE
$ chokepoint report --max-rows 0
! --max-rows must be between 1 and 10000
? 2
$ chokepoint report --shipments /nonexistent.csv
! cannot read the shipments file
? 1
$ chokepoint report --bogus
! unknown option '--bogus'
? 2
# rows of the shipments file that cannot be screened: said, never "No alerts"
$ printf 'id,hs\nB1,94036x\n' > $TMP/allbad.csv && chokepoint report --store $TMP/none --shipments $TMP/allbad.csv --out $TMP/rb.html 2>/dev/null; grep -o '1 rows of the file were NOT screened' $TMP/rb.html; grep -c 'No alerts: no shipment' $TMP/rb.html || true
> 1 rows of the file were NOT screened
> 0
# no store: the report still comes out, every section that needs flows says so
$ chokepoint report --store $TMP/none --out $TMP/r.html && grep -c 'id="ckp-data"' $TMP/r.html
> 1
! sections \([0-9]+ with a note
# a synthetic store: synthetic data is marked, the timeline and the exports are there
$ chokepoint synth --out $TMP/s.csv --rows 5000 --scenario antimony-2024 --quiet && chokepoint ingest --quiet --store $TMP/st --source synth-antimony-2024 $TMP/s.csv && chokepoint report --store $TMP/st --out - | grep -o '"synthetic":true' | head -1
> "synthetic":true
$ chokepoint report --store $TMP/st --out - --title 'A <b>test</b>' | grep -c 'A &lt;b&gt;test&lt;/b&gt;'
> 2
# real and synthetic are never added together (issue 17): a store with
# China's real 811292 exports and a synthetic world.  The gallium chapter's
# exports chart for 2023-01 is the real 19.09 M (it was 28.1 M, the two
# summed, marked synthetic); the synthetic world has its own part, after
# every real chapter, computed from it alone
$ chokepoint ingest -q --store $TMP/mix --source china-critmin-monthly $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint synth -q --out $TMP/sw.csv --seed 1 --rows 300000 --scenario all && chokepoint ingest -q --store $TMP/mix --source synth-world --synthetic $TMP/sw.csv && chokepoint report --store $TMP/mix --out $TMP/mix.html 2>/dev/null && python3 $CASES/report_data.py $TMP/mix.html group-gallium exports 2023-01
> group-gallium exports 2023-01 19086385 synthetic=false sources=china-critmin-monthly
> synthetic-synth-world-group-gallium exports 2023-01 9014056 synthetic=true sources=synth-world
$ python3 $CASES/report_data.py $TMP/mix.html
> main 14, synthetic 10
# the gallium, germanium and gallium-germanium chapters would draw the same
# charts: the store holds all three only as 811292.  Each says so in its intro,
# naming the others, and its captions carry 811292's caveat (issue 17).  The
# synthetic world holds more codes: there only germanium and
# gallium-germanium are held as the same ones (282560, germanium oxides, is
# not in the gallium group)
$ python3 $CASES/report_data.py $TMP/mix.html --same
> group-gallium-germanium = gallium,germanium: HS 811292; caveat: 811292 is one code
> group-gallium = gallium-germanium,germanium: HS 811292; caveat: 811292 is one code
> group-germanium = gallium-germanium,gallium: HS 811292; caveat: 811292 is one code
> synthetic-synth-world-group-gallium-germanium = germanium: HS 282560,811292,811299; caveat: 811292 is one code
> synthetic-synth-world-group-germanium = gallium-germanium: HS 282560,811292,811299; caveat: 811292 is one code
# --source: the whole report from the synthetic world (no second part); a
# mix is refused, naming the sources
$ chokepoint report --store $TMP/mix --source synthetic --out $TMP/mix-s.html 2>/dev/null && python3 $CASES/report_data.py $TMP/mix-s.html group-gallium exports 2023-01 && python3 $CASES/report_data.py $TMP/mix-s.html
> group-gallium exports 2023-01 9014056 synthetic=true sources=synth-world
> main 14
$ chokepoint report --store $TMP/mix --source all --out $TMP/mix-a.html
? 2
! mixes real sources \(china-critmin-monthly\) with synthetic ones \(synth-world\)
$ test -e $TMP/mix-a.html || echo none
> none
$ chokepoint serve --help
~ 127\.0\.0\.1:8080
$ chokepoint serve --addr nonsense
! --addr must be HOST:PORT
? 2
$ chokepoint serve --threads 0
! --threads must be between 1 and 64
? 2
