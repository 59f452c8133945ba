{#- Text to a UTC timestamp without time zone; null when it does not parse.
    Accepted text (the event contract, docs/your-data.md): an ISO 8601 date and time,
    `YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]]`, then optionally a zone: `Z`, an offset
    (`+02:00`, `-0530`, `+00`), `UTC`, `GMT` or an IANA zone name (`America/New_York`); an
    abbreviation such as `CET` or `EST` is ambiguous (DuckDB reads the IANA zone with summer
    time, Postgres a fixed offset) and gives null. Text without a zone is read as UTC. Each
    row is converted on its own. -#}
{% macro parse_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'behavioral_warehouse')(expression)) }}
{%- endmacro %}

{#- DuckDB. Not `try_cast(text as timestamptz)`: that cast carries a zone name parsed in one
    row into later rows without a zone (DuckDB 1.5.6: one '... America/New_York' row shifted
    every following row of its vector by New York's offset), and a plain timestamp cast
    ignores an offset. Text without a zone (nearly every row) takes a plain cast; other text
    is split into its local part and its zone, and each kind of zone is applied explicitly:
    an offset by arithmetic, a zone name with timezone(), only for the names DuckDB knows
    (an unknown name would fail the whole query). At 5M rows the plain path took 1.7-2.7 s
    against 2.8-6.0 s for the timestamptz cast, on a busy 2-core machine. The zone lists are
    list_contains, not `in (...)`: DuckDB plans an in-list as a join evaluated on every row,
    zone extraction included, before the case picks the plain path (at 1M rows, four joins
    and their regexp_extract were most of staging's 3 s). -#}
{% macro default__parse_utc_timestamp(expression) -%}
    {%- set local_pattern = iso_timestamp_pattern(with_zone=false) -%}
    {%- set pattern = '^ *(' ~ local_pattern ~ ') *(' ~ iso_timestamp_pattern(zone_only=true) ~ ')? *$' -%}
    {%- set local_time = "try_cast(nullif(regexp_extract(" ~ expression ~ ", '" ~ pattern ~ "', 1), '') as timestamp)" -%}
    {%- set zone = "regexp_extract(" ~ expression ~ ", '" ~ pattern ~ "', 2)" -%}
    {%- set zone_names = run_query(
        "select name from pg_timezone_names() where name like '%/%' order by name"
    ).columns[0].values() if execute else ['Etc/UTC'] -%}
    (case
        when regexp_full_match({{ expression }}, '{{ local_pattern }}')
            then try_cast({{ expression }} as timestamp)
        when list_contains(['', 'Z', 'z', 'UTC', 'GMT'], {{ zone }})
            then {{ local_time }}
        when {{ zone }} like '+%' or {{ zone }} like '-%'
            then {{ local_time }} - to_minutes(
                (case when {{ zone }} like '-%' then -1 else 1 end)
                * (cast(substr({{ zone }}, 2, 2) as integer) * 60
                    + coalesce(cast(nullif(replace(substr({{ zone }}, 4), ':', ''), '') as integer), 0))
            )
        when list_contains(['{{ zone_names | join("', '") }}'], {{ zone }})
            then timezone('UTC', timezone({{ zone }}, {{ local_time }}))
    end)
{%- endmacro %}

{#- Postgres converts each row with its own offset or zone name (an unknown name makes the
    guarded cast null). Text of another shape is null, as on DuckDB: Postgres would read
    'yesterday', 'now' or 'epoch' as times. -#}
{% macro postgres__parse_utc_timestamp(expression) -%}
    (case
        when {{ regex_matches(expression, iso_timestamp_pattern()) }}
            then ({{ try_cast(expression, 'timestamp with time zone') }} at time zone 'UTC')
    end)
{%- endmacro %}

{#- Spark has no time-zone-aware type: its timestamps are instants shown in the session
    time zone, which the profile sets to UTC; a cast honours an explicit offset or zone.
    Text of another shape is null, as on DuckDB (Spark reads 'today' or 'epoch' as times). -#}
{% macro spark__parse_utc_timestamp(expression) -%}
    (case
        when {{ regex_matches(expression, iso_timestamp_pattern()) }}
            then {{ try_cast(expression, 'timestamp') }}
    end)
{%- endmacro %}
