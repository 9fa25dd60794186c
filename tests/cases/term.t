# A terminal is 80–200 columns wide: on a terminal the table fits its width
# (key columns first, long text wrapped under its row, cut cells marked …,
# what is left out listed after the table); --width N forces that layout for
# a test or a pipe, --wide gives every column in full; CSV and JSON do not
# change.  --chart draws surge's series and dependency's shares.  The store:
# the synthetic antimony case and China's real monthly exports.
$ chokepoint synth -q --out $TMP/term.csv --scenario antimony-2024 --rows 20000 && chokepoint ingest -q --store $TMP/term.store --source synth $TMP/term.csv && chokepoint ingest -q --store $TMP/term.store --source cn $DATA/flows/china-critmin-monthly/china_exports_monthly.csv; echo $?
> 0

# dependency prints 15 columns: at 80, who supplies, how much, what share, reported or mirror
$ chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024 --width 80
> period  supplier        value   share  rank  source    supplier_name
> 2024    CHN       143,432,295  0.8379     1  reported  China
> 2024    BEL         9,819,724  0.0574     2  reported  Belgium
> 2024    IND         7,110,543  0.0415     3  reported  India
> 2024    MEX         4,761,623  0.0278     4  reported  Mexico
> 2024    THA         4,039,515  0.0236     5  reported  Thailand
> 2024    BOL         2,026,832  0.0118     6  reported  Bolivia (Plurinational S…
>
> 11 columns not shown: importer, hs, hhi, top_share, total, suppliers, qty,
> cif_fob, level, from_detail, detail_value. 1 cell shortened (…). --wide shows
> every column in full.
>
> SYNTHETIC: these rows were computed from synthetic sources only (synth):
> generated flows, not observed trade.
>
> Coverage 100 %: importer-reported: rests on USA's own import report (no World
> total held to check it against)
>
> CAVEAT: 811010 holds unwrought antimony and antimony powders of every grade
> together: its figures do not tell ingots from powders.

# at 240 every column fits, the key ones first
$ chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024 --width 240
> period  supplier        value   share  rank  source    supplier_name                     importer  hs          hhi  top_share        total  suppliers         qty  cif_fob  level  from_detail  detail_value
> 2024    CHN       143,432,295  0.8379     1  reported  China                             USA       antimony  7,085     0.8379  171,190,532          6  15,620,044           HS6    false
> 2024    BEL         9,819,724  0.0574     2  reported  Belgium                           USA       antimony  7,085     0.8379  171,190,532          6     794,290           HS6    false
> 2024    IND         7,110,543  0.0415     3  reported  India                             USA       antimony  7,085     0.8379  171,190,532          6     693,945           HS6    false
> 2024    MEX         4,761,623  0.0278     4  reported  Mexico                            USA       antimony  7,085     0.8379  171,190,532          6     531,594           HS6    false
> 2024    THA         4,039,515  0.0236     5  reported  Thailand                          USA       antimony  7,085     0.8379  171,190,532          6     369,460           HS6    false
> 2024    BOL         2,026,832  0.0118     6  reported  Bolivia (Plurinational State of)  USA       antimony  7,085     0.8379  171,190,532          6     352,881           HS6    false
>
> SYNTHETIC: these rows were computed from synthetic sources only (synth): generated flows, not observed trade.
>
> Coverage 100 %: importer-reported: rests on USA's own import report (no World total held to check it against)
>
> CAVEAT: 811010 holds unwrought antimony and antimony powders of every grade together: its figures do not tell ingots from powders.

# not on a terminal and no --width: the table as it always was
$ chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024 --format table | head -2
> importer  hs        period  supplier        value   share  rank    hhi  source    top_share        total  suppliers         qty  cif_fob  supplier_name                     level  from_detail  detail_value
> USA       antimony  2024    CHN       143,432,295  0.8379     1  7,085  reported     0.8379  171,190,532          6  15,620,044           China                             HS6    false

# --wide: every column in full even at a given width; CSV ignores the width
$ chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024 --width 80 --wide | head -1
> importer  hs        period  supplier        value   share  rank    hhi  source    top_share        total  suppliers         qty  cif_fob  supplier_name                     level  from_detail  detail_value

$ chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024 --width 80 --format csv | head -2
> importer,hs,period,supplier,value,share,rank,hhi,source,top_share,total,suppliers,qty,cif_fob,supplier_name,level,from_detail,detail_value,synthetic,sources,coverage,coverage_note,caveat
> USA,antimony,2024,CHN,143432295,0.8379,1,7085,reported,0.8379,171190532,6,15620044,,China,HS6,false,,true,synth,1.0000,importer-reported: rests on USA's own import report (no World total held to check it against),811010 holds unwrought antimony and antimony powders of every grade together: its figures do not tell ingots from powders

# diversion: the explanation (400 characters) wrapped under its hub.  From
# the synthetic source alone: China's real exports are no longer added to the
# synthetic ones (THA scored 0.423 on the sum, 9.1x from $783k)
$ chokepoint diversion --store $TMP/term.store --source synth --measure CN-2024-46 --limit 2 --width 80
> hub  rank  score  growth_issuer_to_hub  growth_hub_to_target  issuer  target
> THA     1  0.449                  9.41                124.96  CHN     USA
>     Thailand: imports of the 10 codes of CN-2024-46 from China ×9.4 ($757k →
>     $7.1M a month) after 2024-12-03, exports of the 10 codes of CN-2024-46 to
>     United States of America ×125 ($43k → $5.4M a month); uncontrolled products
>     ×1.0; onward leg lags by 0 months; Thailand produces none (not a USGS-listed
>     producer of antimony, indium, gallium, germanium, niobium, vanadium);
>     exports to United States of America = 70 % of its imports of it. [SYNTHETIC
>     data]
> MEX     2  0.172                  6.04                  8.87  CHN     USA
>     Mexico: imports of the 10 codes of CN-2024-46 from China ×6.0 ($458k → $2.8M
>     a month) after 2024-12-03, exports of the 10 codes of CN-2024-46 to United
>     States of America ×8.9 ($260k → $2.3M a month); uncontrolled products ×1.0;
>     onward leg lags by 1 months; Mexico produces 700 t a year of antimony,
>     indium, gallium, germanium, niobium, vanadium combined (USGS); exports to
>     United States of America = 72 % of its imports of it. [SYNTHETIC data]
>
> 20 columns not shown: hs, date, growth_control, measure, destination,
> issuer_to_hub_before, issuer_to_hub_after, hub_to_target_before,
> hub_to_target_after, growth_control_issuer_to_hub, growth_control_hub_to_target,
> did_issuer_to_hub, did_hub_to_target, growth_issuer_to_target, share, lag,
> reexport_ratio, production, seen, freq. --wide shows every column in full.
>
> SYNTHETIC: these rows were computed from synthetic sources only (synth):
> generated flows, not observed trade.
>
> Coverage 100 %: rests on the reports of CHN, MEX and USA for 2024
>
> CAVEAT: 811292 is one code for five metals: its figures are of all of them
> together, not of gallium or germanium alone (China's tariff splits them only at
> 8 digits: 81129210 gallium, 81129220 germanium).
> CAVEAT: 811299 is one code for the articles of five metals: its figures are of
> all of them together, not of gallium or germanium alone.
> CAVEAT: 282560 holds zirconium dioxide as well as germanium oxides: its figures
> are not germanium alone.
> CAVEAT: 285000 holds every hydride, nitride, azide, silicide and boride: gallium
> nitride is one of many.
> CAVEAT: 285390 is a residual code for inorganic compounds: gallium arsenide is
> one of many.
> CAVEAT: 811010 holds unwrought antimony and antimony powders of every grade
> together: its figures do not tell ingots from powders.

$ chokepoint diversion --store $TMP/term.store --source synth --measure CN-2024-46 --limit 1 --width 200
> hub  rank  score  growth_issuer_to_hub  growth_hub_to_target  issuer  target  hs                                                                     date        growth_control  measure     destination
> THA     1  0.449                  9.41                124.96  CHN     USA     811292;811299;282560;285000;285390;261710;811010;811020;811090;282580  2024-12-03            0.99  CN-2024-46  USA
>     Thailand: imports of the 10 codes of CN-2024-46 from China ×9.4 ($757k → $7.1M a month) after 2024-12-03, exports of the 10 codes of CN-2024-46 to United States of America ×125 ($43k → $5.4M a
>     month); uncontrolled products ×1.0; onward leg lags by 0 months; Thailand produces none (not a USGS-listed producer of antimony, indium, gallium, germanium, niobium, vanadium); exports to United
>     States of America = 70 % of its imports of it. [SYNTHETIC data]
>
> 15 columns not shown: issuer_to_hub_before, issuer_to_hub_after, hub_to_target_before, hub_to_target_after, growth_control_issuer_to_hub, growth_control_hub_to_target, did_issuer_to_hub,
> did_hub_to_target, growth_issuer_to_target, share, lag, reexport_ratio, production, seen, freq. --wide shows every column in full.
>
> SYNTHETIC: these rows were computed from synthetic sources only (synth): generated flows, not observed trade.
>
> Coverage 100 %: rests on the reports of CHN, THA and USA for 2024
>
> CAVEAT: 811292 is one code for five metals: its figures are of all of them together, not of gallium or germanium alone (China's tariff splits them only at 8 digits: 81129210 gallium, 81129220
> germanium).
> CAVEAT: 811299 is one code for the articles of five metals: its figures are of all of them together, not of gallium or germanium alone.
> CAVEAT: 282560 holds zirconium dioxide as well as germanium oxides: its figures are not germanium alone.
> CAVEAT: 285000 holds every hydride, nitride, azide, silicide and boride: gallium nitride is one of many.
> CAVEAT: 285390 is a residual code for inorganic compounds: gallium arsenide is one of many.
> CAVEAT: 811010 holds unwrought antimony and antimony powders of every grade together: its figures do not tell ingots from powders.

# hs: the descriptions under the code
$ chokepoint hs 8110 --edition 2022 --width 80
> code    level  hs2017
> 8110        4  8110
>     Antimony; articles thereof, including waste and scrap
> 811010      6  811010
>     Antimony and articles thereof; unwrought antimony, powders
> 811020      6  811020
>     Antimony; waste and scrap
> 811090      6  811090
>     Antimony and articles thereof; wrought, other than waste and scrap

$ chokepoint hs 2504 --edition 2022 --width 200
> code    level  description                                                    hs2017
> 2504        4  Graphite; natural                                              2504
> 250410      6  Graphite; natural, in powder or in flakes                      250410
> 250490      6  Graphite; natural, in other forms, excluding powder or flakes  250490

$ chokepoint measures --issuer CHN --in-force 2025-06-01 --width 80
> id          issuer  targets  kind     effective   status    announced   lifted
> CN-2023-23  CHN     *        licence  2023-08-01  in force  2023-07-03
>     Export licensing for gallium and germanium items
> CN-2023-39  CHN     *        licence  2023-12-01  in force  2023-10-20
>     Export licensing for graphite items
> CN-2024-33  CHN     *        licence  2024-09-15  in force  2024-08-15
>     Export licensing for antimony items (with superhard materials)
> CN-2024-46  CHN     USA      ban      2024-12-03  in force  2024-12-03
>     Ban on exports of gallium, germanium, antimony and superhard materials to
>     the United States
> CN-2025-10  CHN     *        licence  2025-02-04  in force  2025-02-04
>     Export licensing for tungsten, tellurium, bismuth, molybdenum and indium
>     items
> CN-2025-18  CHN     *        licence  2025-04-04  in force  2025-04-04
>     Export licensing for seven medium and heavy rare earths (Sm, Gd, Tb, Dy, Lu,
>     Sc, Y) and related items
>
> 14 columns not shown: hs_edition, hs_count, hs, source, notes, where, direction,
> confidence, suspension, suspends, until, hs_note, suspended_from,
> suspended_until. --wide shows every column in full.

# on a real terminal (script gives one) the layout is the default, at $COLUMNS
$ COLUMNS=80 script -qec "chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024" /dev/null | tr -d '\r' | head -2
> period  supplier        value   share  rank  source    supplier_name
> 2024    CHN       143,432,295  0.8379     1  reported  China

# bad widths, and --chart where there is none
$ chokepoint dependency --store $TMP/term.store --importer USA --hs antimony --width 0
! chokepoint: dependency: --width must be a number of columns 
? 2

$ chokepoint dependency --store $TMP/term.store --importer USA --hs antimony --width 80x
! chokepoint: dependency: --width must be a number of columns 
? 2

$ chokepoint mirror --store $TMP/term.store --hs antimony --chart
! chokepoint: mirror: --chart is for surge and dependency
? 2

# --chart: the series as a sparkline with the measures' dates marked (and,
# as under a table, the coverage line)
$ chokepoint surge --store $TMP/term.store --reporter CHN --hs 250410 --partner USA --measure CN-2023-39 --chart --width 80
> CHN to USA, HS 250410: value by month, 2017-01 to 2024-12 (96), max 11,030,282
> (one character = 2 months, their mean)
> ▂▁▂▂▁▂▂▂▁▂▂▁▂▁▂▂▂▂▁▁▁▁▁▁▁▁▂▃▂▄▃▄█▇▆▆▆▅▃▄▃▂▂▃▃▂▄▅
>                            •             ▲
> 2017-01                                  2024-12
> ▲ CN-2023-39 2023-12-01; • flagged: 2021-07 shift_up, 2023-12 dip
>
> Coverage 100 %: rests on the reports of CHN for 2024-12
>
> CAVEAT: 250410 holds both flake graphite and processed spherical (battery-anode)
> graphite: China's tariff splits them only at 8 digits (25041010 spherical,
> 25041091 flake).

# (HS2017 811292 held hafnium and rhenium too: the series reaches back
# before 2022 only when the HS2022 codes they went to are asked as well)
$ chokepoint surge --store $TMP/term.store --reporter CHN --hs gallium,811231,811241 --chart --width 200
> CHN to all partners, HS gallium,811231,811241: value by month, 2017-01 to 2024-12 (96), max 115,297,647
> ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▂▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▂▁▁▁▁▁▁▁▁▁▁▁▃▁▁▁▁▃▂▁▃▁▁▁▁▁▃▂▆▄▁▁▂▃▂▁▁▁▂▂██
>                            •                    •                              ▲            ▲ •▲
> 2017-01                                                                                  2024-12
> ▲ CN-2023-23 2023-08-01; ▲ CN-2024-33 2024-09-15; ▲ CN-2024-46 2024-12-03; ▲ CN-2025-10 2025-02-04 (outside the series); ▲ CN-2025-58 2025-11-08 (suspended before taking effect) (outside the series);
> • flagged: 2019-04 shift_down, 2021-01 shift_up, 2024-11 spike
>
> Coverage 100 %: rests on the reports of CHN for 2024-12
>
> CAVEAT: 811292 is one code for five metals: its figures are of all of them together, not of gallium or germanium alone (China's tariff splits them only at 8 digits: 81129210 gallium, 81129220
> germanium).
> CAVEAT: 811299 is one code for the articles of five metals: its figures are of all of them together, not of gallium or germanium alone.
> CAVEAT: 282590 is a residual code for many metal oxides and hydroxides: gallium oxide is a small part of it.
> CAVEAT: 285000 holds every hydride, nitride, azide, silicide and boride: gallium nitride is one of many.
> CAVEAT: 285390 is a residual code for inorganic compounds: gallium arsenide is one of many.

# --chart: the suppliers' shares as bars
$ chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024 --chart --width 80
> USA's imports of antimony in 2024 by supplier (as the importer reports), total
> 171,190,532
> CHN China             █████████████████████████████████████████          83.8 %
> BEL Belgium           ██▉                                                 5.7 %
> IND India             ██                                                  4.2 %
> MEX Mexico            █▍                                                  2.8 %
> THA Thailand          █▏                                                  2.4 %
> BOL Bolivia (Plurin…  ▋                                                   1.2 %
>
> SYNTHETIC: these rows were computed from synthetic sources only (synth):
> generated flows, not observed trade.
>
> Coverage 100 %: importer-reported: rests on USA's own import report (no World
> total held to check it against)
>
> CAVEAT: 811010 holds unwrought antimony and antimony powders of every grade
> together: its figures do not tell ingots from powders.

$ chokepoint dependency --store $TMP/term.store --source synth --importer USA --hs antimony --period 2024 --chart --width 200
> USA's imports of antimony in 2024 by supplier (as the importer reports), total 171,190,532
> CHN China             █████████████████████████████████████████████████████████████████████████████████████████████████████████████████████████████████████████████▋                             83.8 %
> BEL Belgium           █████████▊                                                                                                                                                                  5.7 %
> IND India             ███████                                                                                                                                                                     4.2 %
> MEX Mexico            ████▊                                                                                                                                                                       2.8 %
> THA Thailand          ████                                                                                                                                                                        2.4 %
> BOL Bolivia (Plurin…  ██                                                                                                                                                                          1.2 %
>
> SYNTHETIC: these rows were computed from synthetic sources only (synth): generated flows, not observed trade.
>
> Coverage 100 %: importer-reported: rests on USA's own import report (no World total held to check it against)
>
> CAVEAT: 811010 holds unwrought antimony and antimony powders of every grade together: its figures do not tell ingots from powders.


# match: the explanation under its hit
$ chokepoint match Rosneft --limit 2 --width 80
> rank  name                  list      score  query    id          matched_name
>    1  ROSNEFT TRADING S.A.  OFAC-SDN  1.000  Rosneft  ofac-18299  ROSNEFT TRADI…
>     rosneft = rosneft 1.00; ignored: trading (legal form/generic, list), sa
>     (legal form/generic, list); token score 1.000 (21.0/21.0)
>
> 2 columns not shown: program, countries. 1 cell shortened (…). --wide shows
> every column in full.
