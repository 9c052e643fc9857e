import json,sys,glob,collections
for f in glob.glob('/tmp/bt/prof/*.cpuprofile'):
    p=json.load(open(f)); nodes={n['id']:n for n in p['nodes']}
    dt=collections.Counter()
    for s,d in zip(p['samples'],p['timeDeltas']): dt[s]+=d
    byfn=collections.Counter(); byfile=collections.Counter()
    for i,t in dt.items():
        cf=nodes[i]['callFrame']; url=cf['url'].split('/node_modules/')[-1] if 'node_modules' in cf['url'] else cf['url'].replace('file:///work/main/','')
        byfn[(cf['functionName'] or '(anon)')+' '+url.split('/')[-1]+':'+str(cf['lineNumber'])]+=t; byfile[url.split('/')[0] if 'node_modules' in cf['url'] else url]+=t
    tot=sum(dt.values())
    print(f, tot/1e6)
    for k,v in byfile.most_common(25): print('%6.1f%%  %s'%(100*v/tot,k))
    print('--')
    for k,v in byfn.most_common(30): print('%6.1f%%  %s'%(100*v/tot,k))
