# match: fuzzy, multi-script name matching against the shipped party lists
# (OFAC SDN 2024-05-03 + aliases, OpenSanctions samples, MOFCOM lists).

# an exact OFAC name, with its list, program and countries (add.csv)
$ chokepoint match "Banco Nacional de Cuba" --limit 1 --format csv | cut -d, -f1-9
> query,rank,id,name,matched_name,list,program,countries,score
> Banco Nacional de Cuba,1,ofac-306,BANCO NACIONAL DE CUBA,BANCO NACIONAL DE CUBA,OFAC-SDN,CUBA,CHE;ESP;JPN;PAN,1.000

# a typo and a legal form: found, and the explanation says why
$ chokepoint match "Rosoboronexprot JSC" --limit 1 --format json
~ "id":"ofac-18782"
~ rosoboronexprot ~typo rosoboronexport 0\.96
~ ignored: jsc \(legal form/generic\)

# country agreement raises the score, disagreement lowers it
$ chokepoint match "Rosoboronexprot" --country RUS --limit 1 --format csv | cut -d, -f9
> score
> 0.964
$ chokepoint match "Rosoboronexprot" --country Brazil --limit 1 --format csv | cut -d, -f9
> score
> 0.910

# Cyrillic query → the OpenSanctions person (Latin caption)
$ chokepoint match "Виталий Кузьменко" --limit 1 --format csv | cut -d, -f3,4
> id,name
> NK-2Ka3UvopqbpZmVDFjWd4LA,Vitaly Yurievich KUZMENKO

# Han: the MOFCOM entry is found through its Chinese name; the English name
# finds the same entry
$ chokepoint match "洛克希德·马丁公司" --limit 1 --format csv | cut -d, -f3,4,9
> id,name,score
> mofcom-6,Lockheed Martin Corporation,1.000
$ chokepoint match "Lockheed Martin Corp." --limit 1 --format csv | cut -d, -f3,9
> id,score
> mofcom-6,1.000

# nothing above the threshold: an empty hit list, exit 0
$ chokepoint match "Zyxwvut Plonk Qqqq" --format json
> {"query":"Zyxwvut Plonk Qqqq","hits":[]}

# --batch: one query per line or a CSV name[,country]; JSON Lines out
$ chokepoint match --batch - | cut -c1-60
< name,country
< Inter Tobacco LLC,BLR
< Nobody Special,
> {"query":"Inter Tobacco LLC","hits":[{"id":"NK-2GdmHtZTeNXjN
> {"query":"Nobody Special","hits":[]}
$ chokepoint match --batch - --format csv --limit 1 | cut -d, -f1,3
< Banco Nacional de Cuba
< Rosoboronexport
> query,id
> Banco Nacional de Cuba,ofac-306
> Rosoboronexport,ofac-18782

# --pairs: input columns, then score and match
$ chokepoint match --pairs - --format csv | cut -d, -f1-6
< name1,name2,label
< "SALEK, ABDULHAI",Abdulhai Salek,1
< Alpha Trading LLC,Omega Trading LLC,0
> name1,name2,label,score,match,explanation
> "SALEK, ABDULHAI",Abdulhai Salek,1,1.000,true
> Alpha Trading LLC,Omega Trading LLC,0,0.000,false,"no token aligned; unmatched in query: alpha; unmatched in list name: omega; ignored: trading (legal form/generic)

# a user list in the generic CSV format
$ printf 'id,name,aliases,country,list,program\nu1,Acme Widgets,ACME W,USA,MYLIST,P1\n' > $TMP/my.csv && chokepoint match "Acme Widget Co" --lists $TMP/my.csv --format csv | cut -d, -f3,6,8
> id,list,countries
> u1,MYLIST,USA

# the evaluation set (3,135 labelled pairs) scores end to end; no random
# pair of different entities matches (the F1 floor is in test_match.c)
$ chokepoint match --pairs $CASES/../data/match_eval.csv --format csv
>>> 3136
$ chokepoint match --pairs $CASES/../data/match_eval.csv --format csv | grep -cE ',neg_random,[^,]*,[0-9.]+,true,' || true
> 0

# usage errors
$ chokepoint match
? 2
! give one of NAME, --batch FILE or --pairs FILE
$ chokepoint match x --threshold 2
? 2
! --threshold must be in
$ chokepoint match x --lists nosuch
? 1
! unknown list 'nosuch'
$ chokepoint match --pairs $TMP/my.csv
? 1
! needs columns name1 and name2

# --batch with plain lines: commas belong to the name
$ chokepoint match --batch - --limit 1 --format csv | cut -d, -f1-4
< Banco Nacional de Cuba
< ABBAS, Abu
> query,rank,id,name
> Banco Nacional de Cuba,1,ofac-306,BANCO NACIONAL DE CUBA
> "ABBAS, Abu",1,ofac-2674
