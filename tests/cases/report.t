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
$ chokepoint serve --help
~ 127\.0\.0\.1:8080
$ chokepoint serve --addr nonsense
! --addr must be HOST:PORT
? 2
$ chokepoint serve --threads 0
! --threads must be between 1 and 64
? 2
