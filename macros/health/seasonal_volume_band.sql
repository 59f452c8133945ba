{#- The expected band of an hourly count and whether the count falls outside it (the
    data-health volume rule, in one place; docs in models/reports/health/_health__docs.md).

    counts: a relation or CTE with one row per key x hour, hours without rows included
    (zeros): the `key_columns`, hour_at (truncated to the hour), n_observed and is_checked
    (false for hours the checks skip: the unsettled last hours).
    A select of every row of `counts` with:
    - n_baseline_weeks, expected: how many of the previous data_health_baseline_weeks weeks
      have this hour (the same hour of the week) with a complete week of data before it,
      and the median of their counts, each scaled by the key's growth since (its count over
      the 168 hours before now, over that of the 168 hours before then: a product gaining
      users is not a spike every hour);
    - dispersion, spread: event counts are overdispersed (a session brings many events in
      one hour), so the variance is taken as dispersion x expected (quasi-Poisson), the
      dispersion estimated per key, robustly, from its checked hours with a count or an
      expected count: the median of (n_observed - expected)^2 / expected over 0.455 (the
      median of a chi-square with one degree of freedom), at least 1;
      spread = sqrt(dispersion x max(expected, 1));
    - lower_bound, upper_bound: expected -/+ data_health_warn_z x spread (lower at least 0);
    - z_score: (n_observed - expected) / spread; window_z_score: the same for the sums over
      the data_health_window_hours hours ending with this one, with the window's own
      dispersion estimated the same way (spread sqrt(window dispersion x the sum of
      max(expected, 1))), null until each of those hours has an expected count;
    - anomaly_kind: 'new' on a key's first hour with a count when the data holds
      data_health_min_baseline_weeks weeks before it (the key had no count in them); null
      when the hour is not checked (is_checked false, or fewer than
      data_health_min_baseline_weeks baseline weeks), when expected is under
      data_health_min_expected_count (at low counts one session's events dominate an hour),
      or when n_observed is within data_health_min_deviation of expected; else 'drop'
      ('missing' when 0 observed) or 'spike' when the hour is outside the band, or when the
      window is outside its band (|window_z_score| > data_health_warn_z) and the hour
      itself deviates the same way by data_health_window_hour_z spreads;
    - severity: macro anomaly_severity of the kind, z_score and window_z_score. -#}
{% macro seasonal_volume_band(counts, key_columns) -%}
    {%- set warn_z = var('data_health_warn_z') -%}
    {%- set min_weeks = var('data_health_min_baseline_weeks') -%}
    {%- set min_deviation = var('data_health_min_deviation') -%}
    {%- set window_hours = var('data_health_window_hours') -%}
    {%- set window_hour_z = var('data_health_window_hour_z') -%}
    {%- set key_list -%}
        {%- for key in key_columns %}
        {{ key }},{% endfor -%}
    {%- endset -%}
with

band_numbered as (
    select
        {{- key_list }}
        hour_at,
        n_observed,
        is_checked,
        cast({{ epoch_milliseconds('hour_at') }} / 3600000 as {{ dbt.type_bigint() }}) as hour_number
    from {{ counts }}
),

-- each key's count over the 168 hours before: its level, complete once the data holds a week
band_counts as (
    select
        band_numbered.*,
        sum(n_observed) over (
            partition by {{ key_columns | join(', ') }}
            order by hour_number
            range between 168 preceding and 1 preceding
        ) as trailing_week_count,
        hour_number - min(hour_number) over () >= 168 as has_trailing_week
    from band_numbered
),

band_weeks_back as (
    {%- for week in range(1, var('data_health_baseline_weeks') + 1) %}
    select {{ week }} as weeks_back
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor %}
),

band_history as (
    select
        {%- for key in key_columns %}
        band_counts.{{ key }},
        {%- endfor %}
        band_counts.hour_number,
        -- the count of that hour, scaled by the key's growth since
        cast(past_counts.n_observed as {{ type_double() }}) * band_counts.trailing_week_count
        / past_counts.trailing_week_count as past_observed
    from band_counts
    cross join band_weeks_back
    inner join band_counts as past_counts
        on
            {%- for key in key_columns %}
            band_counts.{{ key }} = past_counts.{{ key }}
            and {% endfor -%}
            past_counts.hour_number = band_counts.hour_number - 168 * band_weeks_back.weeks_back
            and past_counts.has_trailing_week
            and past_counts.trailing_week_count > 0
),

band_medians as (
    select
        {{- key_list }}
        hour_number,
        count(*) as n_baseline_weeks,
        {{ median('past_observed') }} as expected
    from band_history
    group by
        {{- key_list }}
        hour_number
),

-- each key's first hour with a count, and the data's first hour
band_first_hours as (
    select
        {{- key_list }}
        min(case when n_observed > 0 then hour_number end) as first_counted_hour_number,
        min(min(hour_number)) over () as first_hour_number
    from band_counts
    group by {{ key_columns | join(', ') }}
),

band_expected as (
    select
        {%- for key in key_columns %}
        band_counts.{{ key }},
        {%- endfor %}
        band_counts.hour_at,
        band_counts.hour_number,
        band_counts.n_observed,
        band_counts.is_checked
        and coalesce(band_medians.n_baseline_weeks, 0) >= {{ min_weeks }} as has_baseline,
        band_counts.hour_number = band_first_hours.first_counted_hour_number
        and band_counts.hour_number - band_first_hours.first_hour_number >= 168 * {{ min_weeks }}
            as is_first_count,
        coalesce(band_medians.n_baseline_weeks, 0) as n_baseline_weeks,
        band_medians.expected
    from band_counts
    inner join band_first_hours
        on
            {%- for key in key_columns %}
            {{ 'and ' if not loop.first }}band_counts.{{ key }} = band_first_hours.{{ key }}
            {%- endfor %}
    left join band_medians
        on
            {%- for key in key_columns %}
            band_counts.{{ key }} = band_medians.{{ key }}
            and {% endfor -%}
            band_counts.hour_number = band_medians.hour_number
),

-- each key's dispersion: the median squared deviation over expected of its checked hours
-- with a count or an expected count (a sparse key's empty hours would make it 0), over
-- 0.455 (the median of a chi-square with one degree of freedom), at least 1
band_dispersions as (
    select
        {{- key_list }}
        greatest(
            coalesce(
                {{ median('(n_observed - expected) * (n_observed - expected) / greatest(expected, 1.0)') }}
                / 0.455,
                1.0
            ),
            1.0
        ) as dispersion
    from band_expected
    where has_baseline and (n_observed > 0 or expected > 0)
    group by {{ key_columns | join(', ') }}
),

band_spreads as (
    select
        band_expected.*,
        coalesce(band_dispersions.dispersion, 1.0) as dispersion,
        sqrt(coalesce(band_dispersions.dispersion, 1.0) * greatest(band_expected.expected, 1.0))
            as spread
    from band_expected
    left join band_dispersions
        on
            {%- for key in key_columns %}
            {{ 'and ' if not loop.first }}band_expected.{{ key }} = band_dispersions.{{ key }}
            {%- endfor %}
),

-- the same over the window of hours ending with this one: a shift that lasts is clear in the
-- window's sum before it is in any one hour
band_windows as (
    select
        band_spreads.*,
        count(expected) over band_window as n_window_expected,
        sum(n_observed) over band_window as window_observed,
        sum(expected) over band_window as window_expected,
        sum(greatest(expected, 1.0)) over band_window as window_expected_at_least_1
    from band_spreads
    window band_window as (
        partition by {{ key_columns | join(', ') }}
        order by hour_number
        range between {{ window_hours - 1 }} preceding and current row
    )
),

-- the window's own dispersion, estimated as the hour's (its sums need not vary as hours do)
band_window_dispersions as (
    select
        {{- key_list }}
        greatest(
            coalesce(
                {{ median(
                    '(window_observed - window_expected) * (window_observed - window_expected)'
                    ~ ' / window_expected_at_least_1'
                ) }} / 0.455,
                1.0
            ),
            1.0
        ) as window_dispersion
    from band_windows
    where has_baseline and n_window_expected = {{ window_hours }}
    group by {{ key_columns | join(', ') }}
),

band_bounds as (
    select
        band_windows.*,
        greatest(band_windows.expected - {{ warn_z }} * band_windows.spread, 0.0) as lower_bound,
        band_windows.expected + {{ warn_z }} * band_windows.spread as upper_bound,
        (band_windows.n_observed - band_windows.expected) / band_windows.spread as z_score,
        case
            when band_windows.n_window_expected = {{ window_hours }}
                then (band_windows.window_observed - band_windows.window_expected)
                / sqrt(
                    coalesce(band_window_dispersions.window_dispersion, 1.0)
                    * band_windows.window_expected_at_least_1
                )
        end as window_z_score
    from band_windows
    left join band_window_dispersions
        on
            {%- for key in key_columns %}
            {{ 'and ' if not loop.first }}band_windows.{{ key }} = band_window_dispersions.{{ key }}
            {%- endfor %}
),

band_kinds as (
    select
        band_bounds.*,
        case
            when not has_baseline then null
            when is_first_count then 'new'
            when expected < {{ var('data_health_min_expected_count') }} then null
            when abs(n_observed - expected) < {{ min_deviation }} then null
            when
                z_score < -{{ warn_z }}
                or (window_z_score < -{{ warn_z }} and z_score <= -{{ window_hour_z }})
                then case when n_observed = 0 then 'missing' else 'drop' end
            when
                z_score > {{ warn_z }}
                or (window_z_score > {{ warn_z }} and z_score >= {{ window_hour_z }})
                then 'spike'
        end as anomaly_kind
    from band_bounds
)

select
    {{- key_list }}
    hour_at,
    n_observed,
    n_baseline_weeks,
    expected,
    dispersion,
    spread,
    lower_bound,
    upper_bound,
    z_score,
    window_z_score,
    anomaly_kind,
    {{ anomaly_severity('anomaly_kind', ['z_score', 'window_z_score']) }} as severity
from band_kinds
{%- endmacro %}
