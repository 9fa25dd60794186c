# fetch comtrade without a network: the planned calls (--dry-run), usage
# errors, and no call made without a key.  The calls themselves, against a
# replay of the API, are in tests/suite_fetch.sh.
$ chokepoint fetch comtrade --reporter CHN --partner USA --hs 811292 --period 2023 --cache $TMP/c --dry-run
> GET https://comtradeapi.un.org/data/v1/get/C/A/HS?reporterCode=156&partnerCode=842&cmdCode=811292&flowCode=X,M&period=2023&maxRecords=100000
! fetch: 1 call planned \(0 answered from the cache .*/c\); key none; nothing was fetched or stored
# 25 months: 3 calls of at most 12 periods; a country by name, Taiwan by its Comtrade code
$ chokepoint fetch comtrade --reporter Taiwan --partner all --hs 8542 --freq M --period 2022,2023,2024-01 --flow M --base-url http://127.0.0.1:9/ --cache $TMP/c -n | sed 's/period=.*&/period=…\&/'
> GET http://127.0.0.1:9/data/v1/get/C/M/HS?reporterCode=490&cmdCode=8542&flowCode=M&period=…&maxRecords=100000
> GET http://127.0.0.1:9/data/v1/get/C/M/HS?reporterCode=490&cmdCode=8542&flowCode=M&period=…&maxRecords=100000
> GET http://127.0.0.1:9/data/v1/get/C/M/HS?reporterCode=490&cmdCode=8542&flowCode=M&period=…&maxRecords=100000
$ chokepoint fetch comtrade --reporter Taiwan --partner all --hs 8542 --freq M --period 2022,2023,2024-01 --flow M --cache $TMP/c -n | sed 's/.*period=//'
> 202201,202202,202203,202204,202205,202206,202207,202208,202209,202210,202211,202212&maxRecords=100000
> 202301,202302,202303,202304,202305,202306,202307,202308,202309,202310,202311,202312&maxRecords=100000
> 202401&maxRecords=100000
$ COMTRADE_KEY= chokepoint fetch comtrade --reporter CHN --partner USA --hs 811292 --period 2023 --cache $TMP/c --store $TMP/st
! call 1 of 1 is not in the cache and no subscription key was given \(--key K or \$COMTRADE_KEY\)
? 2
$ chokepoint fetch comtrade --reporter CHN --partner USA --hs 811292 --period 2023-04 --cache $TMP/c -n
! fetch: --period: 2023-04 is a month; --freq A takes years \(or use --freq M\)
? 2
$ chokepoint fetch comtrade --reporter CHN --partner USA --hs TOTAL,81 --period 2023 --cache $TMP/c -n
! --hs: TOTAL is every product; it takes no other code beside it
? 2
$ chokepoint fetch comtrade --reporter CHN --partner USA --hs 81 --period 2023 --flow RX --cache $TMP/c -n
! --flow must be X, M or X,M \(got 'RX'\)
? 2
$ chokepoint fetch comtrade --reporter CHN --partner USA --hs 81 --period 2023 --base-url 'https://x/?subscription-key=1' --cache $TMP/c -n
! --base-url must be a plain URL, without a query
? 2
$ chokepoint fetch comtrade --reporter CHN --hs 81 --period 2023 -n
! --partner is required
? 2
$ chokepoint fetch baci --reporter CHN --partner all --hs 81 --period 2023 -n
! unknown source 'baci' \(fetch comtrade …\)
? 2
