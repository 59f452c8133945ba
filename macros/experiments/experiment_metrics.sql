{#- The experiment metrics (the definitions, in one place): name -> kind and what is
    measured per analysed person after first exposure. The kind picks the test in
    rpt_experiment_results:
      proportion  a 0/1 value per person; two-proportion z-test
      mean        a number per person; Welch's t-test
      ratio       a numerator and a denominator per person (per session), compared as the
                  ratio of their sums; z-test with the delta method's variance
    value and denominator are SQL over one person's activity in a period (model
    fct_experiment_person_metrics), its columns prefixed with @ (post_ for the attribution
    window [first exposure, + the experiment's window_days), pre_ for the same length
    before it, the CUPED covariate): n_sessions, n_engaged_sessions, n_bounced_sessions
    (sessions with an event in the period), n_conversions, revenue, n_retention_days (post:
    active days 7 to 13 days after the day of first exposure; pre: the 7 days before it),
    reached_funnel_end (1 when the person entered and completed the funnel of var
    experiment_funnel_name in the period). -#}
{% macro experiment_metrics() -%}
    {{ return({
        'conversion': {
            'kind': 'proportion',
            'value': 'case when @n_conversions > 0 then 1 else 0 end',
            'denominator': '1',
            'description': 'a conversion event (tracking plan is_conversion) in the window',
        },
        'revenue_per_person': {
            'kind': 'mean',
            'value': '@revenue',
            'denominator': '1',
            'description': 'order revenue in the window',
        },
        'sessions_per_person': {
            'kind': 'mean',
            'value': '@n_sessions',
            'denominator': '1',
            'description': 'sessions with activity in the window',
        },
        'engagement_rate': {
            'kind': 'ratio',
            'value': '@n_engaged_sessions',
            'denominator': '@n_sessions',
            'description': 'engaged sessions / sessions in the window (GA4 engaged session)',
        },
        'bounce_rate': {
            'kind': 'ratio',
            'value': '@n_bounced_sessions',
            'denominator': '@n_sessions',
            'description': 'bounced sessions / sessions in the window',
        },
        'week_1_retention': {
            'kind': 'proportion',
            'value': 'case when @n_retention_days > 0 then 1 else 0 end',
            'denominator': '1',
            'description': 'active on a day 7 to 13 days after the day of first exposure',
        },
        'funnel_conversion': {
            'kind': 'proportion',
            'value': '@reached_funnel_end',
            'denominator': '1',
            'description': "reached the last step of var experiment_funnel_name's funnel,"
                ~ ' entered in the window',
        },
    }) }}
{%- endmacro %}
