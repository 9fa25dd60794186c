# Real and synthetic sources in one store: verbs use the real ones unless
# told otherwise (--source), so no synthetic row is mistaken for real.

$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/src-st --source customs sources_real.csv && chokepoint ingest -q --store $TMP/src-st --source synth-test sources_synth.csv && chokepoint info --store $TMP/src-st --format csv | cut -d, -f1,6,11
> rows,sources,source_names
> 4,2,customs;synth-test (synthetic)

# default: the real source only
$ chokepoint dependency --store $TMP/src-st --importer USA --hs 250410 --period 2023 --format csv | cut -d, -f4-6
> supplier,value,share
> CHN,900,0.9000
> MEX,100,0.1000

$ chokepoint dependency --store $TMP/src-st --importer USA --hs 250410 --period 2023 --source synthetic --format csv | cut -d, -f4-6
> supplier,value,share
> CHN,500,0.5000
> THA,500,0.5000

# a real and a synthetic source are never added together: asking for both
# is a usage error naming them (the sum was CHN 1,400, THA 500, MEX 100)
$ chokepoint dependency --store $TMP/src-st --importer USA --hs 250410 --period 2023 --source synth-test,customs --format csv
? 2
! --source 'synth-test,customs' mixes real sources \(customs\) with synthetic ones \(synth-test\)
>>> 0
$ chokepoint dependency --store $TMP/src-st --importer USA --hs 250410 --period 2023 --source all --format json
? 2
! mixes real sources \(customs\) with synthetic ones \(synth-test\)

# every row says what it was computed from: synthetic, and the sources
$ chokepoint dependency --store $TMP/src-st --importer USA --hs 250410 --period 2023 --format json | head -1 | grep -o '"synthetic":.*'
> "synthetic":false,"sources":["customs"],"coverage":1.0000,"coverage_note":"importer-reported: rests on USA's own import report (no World total held to check it against)","caveat":"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake)"}
$ chokepoint dependency --store $TMP/src-st --importer USA --hs 250410 --period 2023 --source synth-test --format csv | cut -d, -f4,19-
> supplier,synthetic,sources,coverage,coverage_note,caveat
> CHN,true,synth-test,1.0000,importer-reported: rests on USA's own import report (no World total held to check it against),"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake)"
> THA,true,synth-test,1.0000,importer-reported: rests on USA's own import report (no World total held to check it against),"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake)"

$ chokepoint dependency --store $TMP/src-st --importer USA --hs 250410 --period 2023 --source nosuch
! --source: the store has no source named 'nosuch'
? 2
>>> 0
