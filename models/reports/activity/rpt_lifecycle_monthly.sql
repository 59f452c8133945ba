{{ lifecycle('month') }}
