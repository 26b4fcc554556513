"""The Excel add-in: the .xlam (ribbon tab 「物流客服」, its VBA and UDF declarations), the ribbon
handlers and their dispatcher, the send copy from Excel, function help, installing the add-in
into Excel and ``logidesk doctor`` (checks this installation).

The top layer: it calls ``desk``, ``workbooks`` and ``udfs``; nothing imports it.
"""
