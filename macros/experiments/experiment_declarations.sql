{#- The experiments of var `experiments`, checked, with their defaults filled in: a list of
    {key, variants: [{name, planned_share, is_control}], start, end, window_days,
    primary_metric, guardrail_metrics}. A declaration that cannot be read correctly stops
    the compile with a message naming the experiment and what is wrong: a missing key,
    variants or dates, fewer than two variants, shares that are not positive or do not sum
    to 1, a control that is not a variant, an end not after the start, a window under one
    day, an unknown metric or one named twice, a key declared twice. -#}
{% macro experiment_declarations() -%}
    {%- set metrics = experiment_metrics() -%}
    {%- set max_variants = var('experiment_max_variants') -%}
    {%- set declarations = [] -%}
    {%- set seen = [] -%}
    {%- for experiment in var('experiments') or [] -%}
        {%- set key = experiment.get('key') -%}
        {%- set problems = [] -%}
        {%- if not key -%}{%- do problems.append('it has no key') -%}{%- endif -%}
        {%- if key in seen -%}{%- do problems.append('the key is declared twice') -%}{%- endif -%}
        {%- do seen.append(key) -%}
        {%- set variants = experiment.get('variants') or {} -%}
        {%- if variants is not mapping or variants | length < 2 -%}
            {%- do problems.append(
                'variants must map at least two variant names to their planned shares'
            ) -%}
            {%- set variants = {} -%}
        {%- elif variants | length > max_variants -%}
            {%- do problems.append(
                'more than experiment_max_variants (' ~ max_variants ~ ') variants'
            ) -%}
        {%- endif -%}
        {%- set total = namespace(share=0) -%}
        {%- for name, share in variants.items() -%}
            {%- if share is not number or share <= 0 -%}
                {%- do problems.append(
                    'the share of variant ' ~ name ~ ' is not a positive number'
                ) -%}
            {%- else -%}
                {%- set total.share = total.share + share -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if variants and (total.share - 1) | abs > 0.000001 -%}
            {%- do problems.append('the variant shares sum to ' ~ total.share ~ ', not 1') -%}
        {%- endif -%}
        {%- set control = experiment.get('control') or (variants.keys() | list | first) -%}
        {%- if variants and control not in variants -%}
            {%- do problems.append('control ' ~ control ~ ' is not one of its variants') -%}
        {%- endif -%}
        {%- set start = experiment.get('start') | string if experiment.get('start') else none -%}
        {%- set end = experiment.get('end') | string if experiment.get('end') else none -%}
        {%- if not start or not end -%}
            {%- do problems.append('it needs a start and an end (UTC dates or timestamps)') -%}
        {%- elif end <= start -%}
            {%- do problems.append('its end ' ~ end ~ ' is not after its start ' ~ start) -%}
        {%- endif -%}
        {%- set window_days = experiment.get('window_days', var('experiment_window_days')) -%}
        {%- if window_days is not number or window_days < 1 or window_days != window_days | int -%}
            {%- do problems.append('window_days must be a whole number of days, at least 1') -%}
        {%- endif -%}
        {%- set primary_metric = experiment.get('primary_metric') or 'conversion' -%}
        {%- set guardrail_metrics = experiment.get('guardrail_metrics') or [] -%}
        {%- set named = [] -%}
        {%- for metric in [primary_metric] + guardrail_metrics -%}
            {%- if metric not in metrics -%}
                {%- do problems.append(
                    'unknown metric ' ~ metric ~ ' (one of ' ~ metrics.keys() | join(', ') ~ ')'
                ) -%}
            {%- elif metric in named -%}
                {%- do problems.append('metric ' ~ metric ~ ' is named twice') -%}
            {%- endif -%}
            {%- do named.append(metric) -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                'var experiments: experiment ' ~ (key or '#' ~ loop.index) ~ ': '
                ~ problems | join('; ')
            ) }}
        {%- endif -%}
        {%- set variant_rows = [] -%}
        {%- for name, share in variants.items() -%}
            {%- do variant_rows.append(
                {'name': name, 'planned_share': share, 'is_control': name == control}
            ) -%}
        {%- endfor -%}
        {%- do declarations.append({
            'key': key,
            'variants': variant_rows,
            'start': start,
            'end': end,
            'window_days': window_days | int,
            'primary_metric': primary_metric,
            'guardrail_metrics': guardrail_metrics,
        }) -%}
    {%- endfor -%}
    {{ return(declarations) }}
{%- endmacro %}
