# the formats users have (issue 18): legacy Comtrade CSV, comtradr output,
# Comtrade+ API JSON, spreadsheet CSV (';' and decimal commas), .gz of any
# of them.  The fixtures in tests/data/ingest hold rows of the shipped real
# data (data/flows/comtrade-annual/graphite_trade_data.csv: USA⇄China
# 250410, 2020-2021; data/flows/china-critmin-monthly) in each layout, so
# every format must give the numbers the shipped files give.

# --- legacy (pre-2023) Comtrade bulk/web CSV: sniffed from its header
$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/fm-leg comtrade_legacy.csv
! ingest: 8 rows read, 5 kept, 3 rejected

$ chokepoint dependency --store $TMP/fm-leg --importer USA --hs 250410 --format csv | cut -d, -f1-5,13
> importer,hs,period,supplier,value,qty
> USA,250410,2020,CHN,15468449,9391920
> USA,250410,2021,CHN,31095261,15740776

# the same rows as the shipped Comtrade+ file: the same answer (all but the
# sources column: the stores name their sources after the formats)
$ chokepoint ingest -q --store $TMP/fm-ref $DATA/flows/comtrade-annual/graphite_trade_data.csv && diff <(chokepoint dependency --store $TMP/fm-ref --importer USA --hs 250410 --to 2021 --format csv | cut -d, -f1-16) <(chokepoint dependency --store $TMP/fm-leg --importer USA --hs 250410 --format csv | cut -d, -f1-16) && echo same
> same

# bad rows: file, line, reason and the field
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/fm-leg2 --rejects - comtrade_legacy.csv | cut -d, -f1-4
> file,line,reason,detail
> comtrade_legacy.csv,7,unknown-reporter,unknown Comtrade reporter code '999'
> comtrade_legacy.csv,8,bad-flow,"flow code 'Transit' is not X
> comtrade_legacy.csv,9,bad-value,Trade Value (US$): value is not a number

# forced: the legacy layout is not comtradr's
$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/fm-leg3 --format comtradr comtrade_legacy.csv
? 1
! comtrade_legacy.csv:1: the header has no 'reporter_code or reporter_iso' column \(format comtradr\)

$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/fm-leg4 --format comtrade-legacy comtrade_legacy.csv
! 8 rows read, 5 kept, 3 rejected

# --- comtradr: the Comtrade+ columns in snake_case
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/fm-ctr --rejects - comtradr.csv | cut -d, -f1-4
> file,line,reason,detail
> comtradr.csv,6,breakdown-row,motCode 2100 is one mode of transport (total is 0)
> comtradr.csv,7,bad-quantity,net_wgt is not a non-negative number

$ chokepoint dependency --store $TMP/fm-ctr --importer USA --hs 250410 --format csv | cut -d, -f1-5,13
> importer,hs,period,supplier,value,qty
> USA,250410,2020,CHN,15468449,9391920
> USA,250410,2021,CHN,31095261,15740776

# only the columns the comtradr docs show: countries by ISO3
$ chokepoint ingest -q --store $TMP/fm-ctr2 - && chokepoint dependency --store $TMP/fm-ctr2 --importer USA --hs 250410 --format csv | cut -d, -f1-5,13
< ref_year,ref_month,reporter_iso,partner_iso,flow_code,cmd_code,primary_value,net_wgt,qty
< 2020,52,USA,CHN,M,250410,15468449,9391920,9391920
< 2021,52,USA,CHN,M,250410,31095261,15740776,15740776
< 2021,52,USA,XXX,M,250410,1,1,1
> importer,hs,period,supplier,value,qty
> USA,250410,2020,CHN,15468449,9391920
> USA,250410,2021,CHN,31095261,15740776

# --- Comtrade+ API JSON: sniffed from the leading '{'
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/fm-js --rejects - comtrade_plus.json | cut -d, -f1-4
> file,line,reason,detail
> comtrade_plus.json,6,bad-value,primaryValue: value is not a number

$ chokepoint dependency --store $TMP/fm-js --importer USA --hs 250410 --format csv | cut -d, -f1-5,13
> importer,hs,period,supplier,value,qty
> USA,250410,2020,CHN,15468449,9391920
> USA,250410,2021,CHN,31095261,15740776

# a truncated download is an error, not a short ingest
$ cd $CASES/../data/ingest && head -c 1500 comtrade_plus.json > $TMP/cut.json && chokepoint ingest --store $TMP/fm-js2 $TMP/cut.json
? 1
! cut.json:4: the JSON ends before the end of a value \(a truncated response\?\)

# … and so is a count that disagrees with the records, or an API error
$ chokepoint ingest --store $TMP/fm-js3 -
< {"count": 3, "data": [{"period":"2020","reporterCode":842,"partnerCode":156,"flowCode":"M","cmdCode":"250410","primaryValue":1}]}
? 1
! <stdin>:2: "count" says 3 records, the data array holds 1

$ chokepoint ingest --store $TMP/fm-js4 -
< {"elapsedTime":"0 secs","count":0,"data":[],"error":"Invalid subscription key"}
? 1
! the response reports an error: Invalid subscription key

$ chokepoint ingest --store $TMP/fm-js5 --format comtrade-json $CASES/../data/ingest/comtradr.csv
? 1
! comtradr.csv:1: expected '\{' \(a Comtrade\+ response object\)

# --- spreadsheet CSV: ';' and decimal commas, sniffed; the shipped rows
$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/fm-sc flows_semicolon.csv
! 5 rows read, 5 kept, 0 rejected

$ grep -E '^2017-0[12],CHN,(AUS,X,(250410|380110)|BEL,X,250410)' $DATA/flows/china-critmin-monthly/china_exports_monthly.csv | grep -v '^2017-02,CHN,AUS,X,380110' | sed '1i period,reporter,partner,flow,hs,value,qty,unit,hs_edition' > $TMP/sc-ref.csv && chokepoint ingest -q --store $TMP/fm-scref $TMP/sc-ref.csv && for s in fm-sc fm-scref; do chokepoint dependency --store $TMP/$s --importer BEL --hs 250410 --period 2017-01 --format csv; done | sort | uniq -c
>       2 BEL,250410,2017-01,CHN,531993,1.0000,1,10000,mirror,1.0000,531993,1,300949,0.0600,China,HS6,false,,false,flows,0.0045,"thin: mirror: rests on the export reports of CHN to BEL, 1 of 222 other economies listed as UN Comtrade reporters for 2017-01 (BEL's own import report is not used)","250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake)"
>       2 importer,hs,period,supplier,value,share,rank,hhi,source,top_share,total,suppliers,qty,cif_fob,supplier_name,level,from_detail,detail_value,synthetic,sources,coverage,coverage_note,caveat

# 1.234 could be 1234 or 1.234: rejected until a value shows the mark …
$ chokepoint ingest -q --store $TMP/fm-amb --rejects - - | cut -d, -f2-4
< period;reporter;partner;flow;hs;value
< 2023;USA;CHN;M;850110;1.234
< 2023;USA;CHN;M;850120;2,5
< 2023;USA;CHN;M;850131;1.234
> line,reason,detail
> 2,bad-value,value could be read with a decimal point or a decimal comma (1.234 = 1234 or 1.234): give --decimal-comma or --decimal-point

# … or the option says
$ chokepoint ingest -q --store $TMP/fm-amb2 --decimal-comma - && chokepoint dependency --store $TMP/fm-amb2 --importer USA --hs 850110 --format csv | cut -d, -f5
< period;reporter;partner;flow;hs;value
< 2023;USA;CHN;M;850110;1.234
> value
> 1234

$ chokepoint ingest -q --store $TMP/fm-amb3 --decimal-point - && chokepoint dependency --store $TMP/fm-amb3 --importer USA --hs 850110 --format csv | cut -d, -f5
< period;reporter;partner;flow;hs;value
< 2023;USA;CHN;M;850110;1.234
> value
> 1

# a mark that changes within a file is a rejected row, not a guess
$ chokepoint ingest -q --store $TMP/fm-mix --rejects - - | cut -d, -f2-4
< period;reporter;partner;flow;hs;value
< 2023;USA;CHN;M;850110;2,5
< 2023;USA;CHN;M;850120;12.75
> line,reason,detail
> 3,bad-value,value has a decimal mark other than the file's earlier values

# --delimiter: the delimiter given is the one used
$ chokepoint ingest -q --store $TMP/fm-dl --delimiter '|' --decimal-comma - && chokepoint dependency --store $TMP/fm-dl --importer USA --hs 850110 --format csv | cut -d, -f5
< period|reporter|partner|flow|hs|value
< 2023|USA|CHN|M|850110|1.234.567,5
> value
> 1234568

$ chokepoint ingest --delimiter ab x.csv
? 2
! --delimiter must be one byte

# --- a run that reads rows and keeps none is an error, in every format
$ chokepoint ingest --store $TMP/fm-none -
< period;reporter;partner;flow;hs;value
< 2023;USA;CHN;M;850110;abc
< 2023;USA;CHN;M;850120;n.a.
? 1
! <stdin>: none of the 2 rows read was kept \(2 bad-value\); nothing is loaded

$ cd $CASES/../data/ingest && sed -n '1p;7,8p' comtrade_legacy.csv > $TMP/none.csv && chokepoint ingest --store $TMP/fm-none2 $TMP/none.csv
? 1
! none of the 2 rows read was kept \(1 unknown-reporter, 1 bad-flow\)

$ chokepoint ingest --store $TMP/fm-none3 -
< {"count":1,"data":[{"period":"2020","reporterCode":842,"partnerCode":156,"flowCode":"M","cmdCode":"250410","primaryValue":"lots"}]}
? 1
! none of the 1 rows read was kept \(1 bad-value\)

# --- .gz of any format, read as a stream (a file or standard input)
$ cd $CASES/../data/ingest && gzip -c comtrade_legacy.csv > $TMP/leg.csv.gz && chokepoint ingest --store $TMP/fm-gz $TMP/leg.csv.gz && chokepoint dependency --store $TMP/fm-gz --importer USA --hs 250410 --format csv | cut -d, -f1-5,13
! 8 rows read, 5 kept, 3 rejected
> importer,hs,period,supplier,value,qty
> USA,250410,2020,CHN,15468449,9391920
> USA,250410,2021,CHN,31095261,15740776

$ cd $CASES/../data/ingest && gzip -c comtrade_plus.json | chokepoint ingest --store $TMP/fm-gz2 -
! 5 rows read, 4 kept, 1 rejected

# two gzip members (gzip -c a b) are one stream
$ cd $CASES/../data/ingest && (head -3 flows_semicolon.csv | gzip -c; tail -n +4 flows_semicolon.csv | gzip -c) > $TMP/two.gz && chokepoint ingest --store $TMP/fm-gz3 $TMP/two.gz
! 5 rows read, 5 kept, 0 rejected

# a cut or corrupt .gz is an error and nothing is stored
$ cd $CASES/../data/ingest && gzip -c comtrade_legacy.csv | head -c 300 > $TMP/cut.gz && chokepoint ingest --store $TMP/fm-gz4 $TMP/cut.gz
? 1
! cut.gz:.*the gzip stream is truncated

$ cd $CASES/../data/ingest && gzip -c comtrade_legacy.csv > $TMP/bad.gz && printf 'XXXXXXXX' | dd of=$TMP/bad.gz bs=1 seek=40 conv=notrunc 2>/dev/null && chokepoint ingest --store $TMP/fm-gz5 $TMP/bad.gz
? 1
! bad.gz.*the gzip data is corrupt
